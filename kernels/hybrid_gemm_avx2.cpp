// AVX2 int8 x int8 -> int32 microkernel for hybrid_gemm_s8s8s32: exact, so identical to the portable loop.
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/hybrid_gemm.h"

namespace qgate::kernels::detail {

namespace {

constexpr int kBlockN = 4;
constexpr int kChunkK = 32;

// Why vpmaddubsw is exact here. It multiplies unsigned bytes by signed bytes and adds adjacent pairs into int16
// with saturation. We feed it u = |q| (vpabsb; -128 becomes the unsigned byte 128, correct as unsigned) and
// s = sign(q) * w (vpsignb(w, q): w negated where q < 0, zeroed where q == 0), so u * s = q * w for every pair.
// Since weights are in [-127, 127], negating w never wraps, |u| <= 128 and |s| <= 127, so a pair sums to at most
// 2 * 128 * 127 = 32512 <= 32767: no saturation, for every activation in [-128, 127]. (Putting |w| unsigned and
// the sign on q instead would fail: q = -128 cannot be negated in int8.) vpmaddwd against 1s then widens the
// pair sums to int32 lanes, which hold at most K/8 * 2 * 32512 (the header bounds K).
struct Chunk {
  __m256i q;    // activations
  __m256i abs;  // |activations| as unsigned bytes
};

// Saturating (onnxruntime's AVX2 u8s8 arithmetic): `abs` holds the raw uint8 activations u = q + 128 and the
// weights go in unchanged, so vpmaddubsw saturates each adjacent-k pair sum exactly as MLAS's kernel does.
template <bool Saturating>
inline __m256i dot_chunk(__m256i w, const Chunk& c, __m256i ones16) {
  if constexpr (Saturating) return _mm256_madd_epi16(_mm256_maddubs_epi16(c.abs, w), ones16);
  const __m256i signed_w = _mm256_sign_epi8(w, c.q);
  return _mm256_madd_epi16(_mm256_maddubs_epi16(c.abs, signed_w), ones16);
}

template <bool Saturating>
inline Chunk load_chunk(const int8_t* p) {
  const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
  if constexpr (Saturating) return {v, _mm256_xor_si256(v, _mm256_set1_epi8(static_cast<char>(0x80)))};
  return {v, _mm256_abs_epi8(v)};
}

// Sums each of the four accumulators' 8 lanes: result lane j = sum of a[j].
inline __m128i reduce4(__m256i a0, __m256i a1, __m256i a2, __m256i a3) {
  const __m256i s = _mm256_hadd_epi32(_mm256_hadd_epi32(a0, a1), _mm256_hadd_epi32(a2, a3));
  return _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
}

// MR activation rows against one block of 4 output channels; writes out_rows[r][0 .. valid). sums4 holds the
// block's 4 row sums (zero-padded past n).
template <int MR, bool Saturating>
void microkernel(const int8_t* wb, int32_t k, const int8_t* const* qrows, const int32_t* zp, const int32_t* sums4,
                 int valid, int32_t* const* out_rows) {
  const __m256i ones16 = _mm256_set1_epi16(1);
  __m256i acc[MR][kBlockN];
  for (int r = 0; r < MR; ++r)
    for (int j = 0; j < kBlockN; ++j) acc[r][j] = _mm256_setzero_si256();

  // Fully unrolled so that the accumulators live in registers (MR = 2: 8 accumulators + 4 activation registers).
  auto step = [&](const int8_t* wc, const Chunk* chunks) __attribute__((always_inline)) {
#pragma GCC unroll 4
    for (int j = 0; j < kBlockN; ++j) {
      const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(wc + j * kChunkK));
#pragma GCC unroll 2
      for (int r = 0; r < MR; ++r) acc[r][j] = _mm256_add_epi32(acc[r][j], dot_chunk<Saturating>(w, chunks[r], ones16));
    }
  };

  const int32_t full = k / kChunkK;
  for (int32_t c = 0; c < full; ++c) {
    Chunk chunks[MR];
#pragma GCC unroll 2
    for (int r = 0; r < MR; ++r) chunks[r] = load_chunk<Saturating>(qrows[r] + c * kChunkK);
    step(wb + int64_t{c} * kBlockN * kChunkK, chunks);
  }
  if (const int tail = k - full * kChunkK; tail > 0) {
    // The activation rows end inside this chunk: copy their tails into zeroed chunks (the packed weights are
    // zero there too), so nothing past a row is read.
    alignas(32) int8_t buf[MR][kChunkK];
    Chunk chunks[MR];
    for (int r = 0; r < MR; ++r) {
      std::memset(buf[r], 0, kChunkK);
      std::memcpy(buf[r], qrows[r] + full * kChunkK, static_cast<size_t>(tail));
      chunks[r] = load_chunk<Saturating>(buf[r]);
    }
    step(wb + int64_t{full} * kBlockN * kChunkK, chunks);
  }

  const __m128i sums = _mm_loadu_si128(reinterpret_cast<const __m128i*>(sums4));
  for (int r = 0; r < MR; ++r) {
    __m128i v = reduce4(acc[r][0], acc[r][1], acc[r][2], acc[r][3]);
    // Saturating: the raw uint8 activations carry the zero point zp + 128.
    if (zp) v = _mm_sub_epi32(v, _mm_mullo_epi32(_mm_set1_epi32(Saturating ? zp[r] + 128 : zp[r]), sums));
    alignas(16) int32_t tmp[kBlockN];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), v);
    std::memcpy(out_rows[r], tmp, sizeof(int32_t) * static_cast<size_t>(valid));
  }
}

template <bool Saturating>
void gemm_blocks(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points, int32_t m, int32_t* acc,
                 int64_t block_begin, int64_t block_end) {
  const int64_t chunks = w.k_padded / kChunkK;
  for (int64_t block = block_begin; block < block_end; ++block) {
    const int8_t* wb = w.data.data() + block * chunks * kBlockN * kChunkK;
    const int32_t n0 = static_cast<int32_t>(block * kBlockN);
    const int valid = static_cast<int>(std::min<int64_t>(kBlockN, w.n - n0));
    // row_sums has exactly n entries; the last block reads a zero-padded copy.
    alignas(16) int32_t sums4[kBlockN] = {0, 0, 0, 0};
    std::memcpy(sums4, w.row_sums.data() + n0, sizeof(int32_t) * static_cast<size_t>(valid));
    int32_t b = 0;
    for (; b + 2 <= m; b += 2) {
      const int8_t* qrows[2] = {q + int64_t{b} * w.k, q + int64_t{b + 1} * w.k};
      int32_t* out_rows[2] = {acc + int64_t{b} * w.n + n0, acc + int64_t{b + 1} * w.n + n0};
      microkernel<2, Saturating>(wb, w.k, qrows, zero_points ? zero_points + b : nullptr, sums4, valid, out_rows);
    }
    if (b < m) {
      const int8_t* qrows[1] = {q + int64_t{b} * w.k};
      int32_t* out_rows[1] = {acc + int64_t{b} * w.n + n0};
      microkernel<1, Saturating>(wb, w.k, qrows, zero_points ? zero_points + b : nullptr, sums4, valid, out_rows);
    }
  }
}

}  // namespace

void hybrid_gemm_blocks_avx2(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points, int32_t m,
                             int32_t* acc, int64_t block_begin, int64_t block_end) {
  gemm_blocks<false>(w, q, zero_points, m, acc, block_begin, block_end);
}

void hybrid_gemm_blocks_saturating_avx2(const PackedInt8Weights& w, const int8_t* q, const int32_t* zero_points,
                                        int32_t m, int32_t* acc, int64_t block_begin, int64_t block_end) {
  gemm_blocks<true>(w, q, zero_points, m, acc, block_begin, block_end);
}

}  // namespace qgate::kernels::detail
