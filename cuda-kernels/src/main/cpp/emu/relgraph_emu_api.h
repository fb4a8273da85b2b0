// The emulated CUDA device as a C API: memory is host memory and kernels run through the
// emulation of the execution model (emu_cuda.h). Bound in Java by org.relgraph.cuda.emu.EmuApi.
// Calls are serialised by one lock; a call never crashes on bad arguments, it reports them.
#pragma once

#ifdef __cplusplus
extern "C" {
#endif

/** A new allocation of `bytes` > 0 (filled with 0xFF bytes, NaN as floats); 0 on failure. */
long long emu_malloc(long long bytes);
/** Frees an allocation of emu_malloc; another address is reported by emu_last_error. */
void emu_free(long long ptr);
/** memcpy: every address is a host address (device ones from emu_malloc, or Java's). */
void emu_memcpy(long long dst, long long src, long long bytes);
void emu_memset(long long dst, int value, long long bytes);
/**
 * Runs kernel `kernel` on a grid of (gx, gy, gz) blocks of (bx, by, bz) threads with sharedBytes
 * of dynamic shared memory. args: one 64-bit slot per kernel parameter, in order: a pointer's
 * address (which must lie in an emu_malloc allocation), an int's or a float's 32 raw bits
 * (Float.floatToRawIntBits) in the low half (the high half is ignored), or a long long.
 * Returns 0, or -1 with emu_last_error() naming the problem (unknown kernel, wrong nargs, bad
 * geometry, shared memory over 227 KiB, an argument that is no device address, a kernel's own
 * check, a barrier or warp-operation mismatch).
 */
int emu_launch(const char* kernel, int gx, int gy, int gz, int bx, int by, int bz,
               int sharedBytes, const long long* args, int nargs);
/** One line naming the last call's problem; "" after a call that succeeded. */
const char* emu_last_error();
/** The kernels the emulation knows, by index 0 .. emu_kernel_count() - 1. */
int emu_kernel_count();
const char* emu_kernel_name(int i);
/** A kernel's parameter types, comma-separated ("int,int,const int*,..."); "" when unknown. */
const char* emu_kernel_signature(const char* kernel);

#ifdef __cplusplus
}
#endif
