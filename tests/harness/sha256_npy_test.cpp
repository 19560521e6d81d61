#include <cstring>

#include <doctest/doctest.h>

#include "core/errors.h"
#include "core/npy.h"
#include "core/sha256.h"

TEST_SUITE("harness.util") {
  // Digests from FIPS 180-4's published examples.
  TEST_CASE("sha256 matches the published test vectors") {
    CHECK(qgate::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(qgate::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(qgate::sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(qgate::sha256_hex(std::string(1000000, 'a')) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  }

  // A file NumPy itself wrote (np.save of np.arange(6, dtype='<i4').reshape(2, 3)), bytes spelled out.
  TEST_CASE("npy reads a NumPy-written file and writes one NumPy accepts") {
    std::string header = "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }";
    header.append(118 - header.size() - 1, ' ');
    header += '\n';
    std::string bytes("\x93NUMPY\x01\x00\x76\x00", 10);
    bytes += header;
    for (int32_t v = 0; v < 6; ++v) bytes.append(reinterpret_cast<const char*>(&v), 4);
    qgate::Tensor t = qgate::parse_npy(bytes, "mem.npy");
    CHECK(t.dtype == qgate::DType::i32);
    CHECK(t.shape == qgate::Shape{2, 3});
    CHECK(t.as<int32_t>()[5] == 5);
    CHECK(qgate::format_npy(t) == bytes);  // same header layout and padding as NumPy's writer
  }

  TEST_CASE("npy round-trips every supported dtype and rank") {
    for (auto dt : {qgate::DType::f32, qgate::DType::f16, qgate::DType::i8, qgate::DType::u8, qgate::DType::i32,
                    qgate::DType::i64}) {
      for (const qgate::Shape& shape : {qgate::Shape{}, qgate::Shape{5}, qgate::Shape{2, 3, 4}, qgate::Shape{0, 3}}) {
        qgate::Tensor t;
        t.dtype = dt;
        t.shape = shape;
        t.allocate();
        for (size_t i = 0; i < t.bytes(); ++i) t.data.data()[i] = static_cast<std::byte>(i * 7 + 1);
        qgate::Tensor back = qgate::parse_npy(qgate::format_npy(t), "mem.npy");
        CHECK(back.dtype == dt);
        CHECK(back.shape == shape);
        CHECK(std::memcmp(back.data.data(), t.data.data(), t.bytes()) == 0);
      }
    }
  }

  TEST_CASE("npy rejects malformed files with the field and rule") {
    auto msg = [](const std::string& bytes) {
      try {
        qgate::parse_npy(bytes, "bad.npy");
      } catch (const qgate::InputError& e) {
        return std::string(e.what());
      }
      return std::string("no error");
    };
    CHECK(msg("hello").find("magic") != std::string::npos);
    std::string good = qgate::format_npy([] {
      qgate::Tensor t;
      t.shape = {4};
      t.allocate();
      return t;
    }());
    CHECK(msg(good.substr(0, good.size() - 3)).find("needs 16") != std::string::npos);
    std::string f64 = good;
    f64.replace(f64.find("<f4"), 3, "<f8");
    CHECK(msg(f64).find("descr '<f8'") != std::string::npos);
    std::string fortran = good;
    fortran.replace(fortran.find("False"), 5, "True ");
    CHECK(msg(fortran).find("fortran_order") != std::string::npos);
    std::string neg = good;
    neg.replace(neg.find("(4,)"), 4, "(-4,)");
    CHECK(msg(neg).find("not a dimension") != std::string::npos);
  }
}
