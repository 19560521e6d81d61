// CONV_2D (float): input [N,H,W,Cin], filter OHWI [Cout,KH,KW,Cin/groups] (constant), optional bias [Cout].
#include <vector>

#include <fmt/format.h>

#include "harness/op.h"
#include "harness/ops/conv_attrs.h"
#include "kernels/conv2d.h"
#include "kernels/parallel.h"

namespace qgate {
namespace {

class Conv2DOp : public Op {
 public:
  void prepare(OpContext& ctx) override {
    ctx.expect_arity(2, 3, 1);
    ctx.expect_input(0, DType::f32, 4);
    ctx.expect_input(1, DType::f32, 4);
    ops::expect_constant(ctx, 1, "filter");
    const Shape& in = ctx.in(0).shape;
    const Shape& f = ctx.in(1).shape;
    kernels::Conv2DParams& p = params_;
    p.batch = in[0];
    p.in_h = in[1];
    p.in_w = in[2];
    p.in_c = in[3];
    p.out_c = f[0];
    p.kernel_h = f[1];
    p.kernel_w = f[2];
    if (f[3] <= 0 || p.in_c % f[3] != 0)
      ctx.fail(fmt::format("filter has {} input channels, input has {} (must be equal, or a multiple for a grouped "
                           "convolution)", f[3], p.in_c));
    p.groups = p.in_c / f[3];
    if (p.out_c % p.groups != 0)
      ctx.fail(fmt::format("filter has {} output channels, not a multiple of the {} groups ({} input channels / {} "
                           "per filter)", p.out_c, p.groups, p.in_c, f[3]));
    const bool same = ops::read_same_padding(ctx);
    p.stride_h = ops::read_factor(ctx, "stride_h");
    p.stride_w = ops::read_factor(ctx, "stride_w");
    p.dilation_h = ops::read_factor(ctx, "dilation_h_factor");
    p.dilation_w = ops::read_factor(ctx, "dilation_w_factor");
    p.activation = ops::read_activation(ctx);
    p.out_h = kernels::conv_output_size(p.in_h, p.kernel_h, p.stride_h, p.dilation_h, same);
    p.out_w = kernels::conv_output_size(p.in_w, p.kernel_w, p.stride_w, p.dilation_w, same);
    if (p.out_h <= 0 || p.out_w <= 0)
      ctx.fail(fmt::format("a {}x{} filter (dilation {}x{}) does not fit the {}x{} input with VALID padding",
                           p.kernel_h, p.kernel_w, p.dilation_h, p.dilation_w, p.in_h, p.in_w));
    p.pad_top = kernels::conv_pad_before(p.in_h, p.out_h, p.kernel_h, p.stride_h, p.dilation_h, same);
    p.pad_left = kernels::conv_pad_before(p.in_w, p.out_w, p.kernel_w, p.stride_w, p.dilation_w, same);
    bias_ = ops::read_bias(ctx, 2, p.out_c);

    ctx.out(0).dtype = DType::f32;
    ctx.out(0).shape = {p.batch, p.out_h, p.out_w, p.out_c};
    weights_ = kernels::pack_conv2d_weights(p, ctx.in(1).as<float>());
    slots_ = kernels::num_threads();
    scratch_.assign(static_cast<size_t>(kernels::conv2d_scratch_size(p) * slots_), 0.0f);
  }

  void run(OpContext& ctx) override {
    kernels::conv2d_float(params_, weights_, ctx.in(0).as<float>(), bias_, ctx.out(0).as<float>(), scratch_.data(),
                          slots_);
  }

 private:
  kernels::Conv2DParams params_;
  kernels::PackedConv2DWeights weights_;
  const float* bias_ = nullptr;
  std::vector<float> scratch_;  // slots_ per-thread im2col blocks
  int slots_ = 1;
};

}  // namespace

QGATE_REGISTER_OP(OpType::conv2d, Conv2DOp);

}  // namespace qgate
