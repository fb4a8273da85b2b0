// Buffers with their lengths, and the checks made on them. Every buffer a kernel receives from
// Java is a Span: JavaCPP's adapter (SpanAdapter, named by the binding's @Span annotation) passes
// the pointer together with its Pointer's remaining length (limit - position), so no call site can
// forget to say how long a buffer is. The kernels check every offset they will touch against it:
// Java validates first, and these checks are the second line, which turns a bad call into an
// exception instead of a write out of range.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace relgraph {

/** A buffer of `size` elements at `data` (null with size 0 when Java passed null). */
template <typename T>
struct Span {
  T* data;
  long long size;

  T& operator[](long long i) const { return data[i]; }
};

/**
 * JavaCPP's adapter for Span parameters: the generated code constructs it from the Pointer's
 * address, remaining length and owner, converts it to the parameter's Span type and, for a
 * non-const parameter, reads ptr, size and owner back (unchanged: a Span never reallocates).
 */
template <typename T>
class SpanAdapter {
 public:
  SpanAdapter(const T* p, long long n, void* o) : ptr(const_cast<T*>(p)), size(n), owner(o) {}

  template <typename U>
  operator Span<U>() const {
    return Span<U>{ptr, ptr == nullptr || size < 0 ? 0 : size};
  }

  operator T*() const { return ptr; }

  static void deallocate(void*) {}

  T* ptr;
  long long size;
  void* owner;
};

/** Throws the one exception type of the kernels' argument checks. */
[[noreturn]] inline void fail(const std::string& what) {
  throw std::invalid_argument("relgraph native: " + what);
}

}  // namespace relgraph

// Throws std::invalid_argument("relgraph native: " + message) unless cond holds. The message is
// evaluated only then: the checks run on every call, and building strings there would cost more
// than a small layer's arithmetic.
#define RELGRAPH_CHECK(cond, message)                                 \
  do {                                                                \
    if (__builtin_expect(!(cond), 0)) ::relgraph::fail(message);      \
  } while (0)

namespace relgraph {

inline void check_threads(int threads) {
  RELGRAPH_CHECK(threads >= 1 && threads <= 1024,
                 "threads = " + std::to_string(threads) + " outside [1, 1024]");
}

/** `buffer` is not null and holds at least `needed` elements (needed >= 0). */
template <typename T>
inline void check_length(const Span<T>& buffer, long long needed, const char* name) {
  RELGRAPH_CHECK(needed >= 0, std::string(name) + ": negative length " + std::to_string(needed));
  RELGRAPH_CHECK(buffer.data != nullptr, std::string(name) + " is null");
  RELGRAPH_CHECK(buffer.size >= needed, std::string(name) + " holds " +
                                            std::to_string(buffer.size) +
                                            " values, the call touches " + std::to_string(needed));
}

/** Elements a rows x cols matrix with row stride ld (>= cols) spans: (rows - 1) ld + cols. */
inline long long matrix_extent(long long rows, long long cols, long long ld) {
  return rows <= 0 || cols <= 0 ? 0 : (rows - 1) * ld + cols;
}

}  // namespace relgraph
