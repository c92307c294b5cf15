/* The neuron pass's spike-flag scan, in C for the vector test (helpers.pyx.j2 includes it
   verbatim; tests/numerics/test_helpers.py compiles it alone for each instruction set). */
#include <stdint.h>
#include <string.h>
/* Which of 32 neurons' spike flags (2 bytes each, 0 or 1) are set, as the bits of a word.
   Any machine: eight 8-byte words tested at once, the flags one by one only if one is set
   (the words are copied, which compiles to loads, because reading uint16_t flags through a
   uint64_t pointer would let the compiler move the read before the pass's stores). */
static inline uint32_t _snngen_flag_bits_portable(const uint16_t* flags) {
    uint64_t words[8];
    memcpy(words, flags, sizeof words);
    uint32_t bits = 0;
    if (words[0] | words[1] | words[2] | words[3] | words[4] | words[5] | words[6] | words[7])
        for (int j = 0; j < 32; j++) bits |= (uint32_t)(flags[j] != 0) << j;
    return bits;
}
/* The same with one vector test on the machines that have one: the flags are tested
   where the pass left them (in L2 beyond a few thousand neurons), and a set bit costs a
   ctz instead of a test per flag. Written with gcc's builtins, not <immintrin.h>: parsing
   that header cost gcc 0.15 s of every cold start. (clang, which names its builtins
   otherwise, takes the portable test.) */
#if defined(__GNUC__) && !defined(__clang__) && defined(__AVX512BW__)
#define _SNNGEN_VECTOR_TEST "avx512bw"
typedef short _snngen_v32hi __attribute__((vector_size(64)));
static inline uint32_t _snngen_flag_bits(const uint16_t* flags) {
    _snngen_v32hi x;
    memcpy(&x, flags, sizeof x);
    return __builtin_ia32_ptestmw512(x, x, 0xFFFFFFFFu);
}
#elif defined(__GNUC__) && !defined(__clang__) && defined(__AVX2__)
#define _SNNGEN_VECTOR_TEST "avx2"
typedef short _snngen_v16hi __attribute__((vector_size(32)));
typedef char _snngen_v32qi __attribute__((vector_size(32)));
typedef long long _snngen_v4di __attribute__((vector_size(32)));
static inline uint32_t _snngen_flag_bits(const uint16_t* flags) {
    _snngen_v16hi low, high;
    memcpy(&low, flags, sizeof low);
    memcpy(&high, flags + 16, sizeof high);
    /* packs interleaves the halves' 128-bit lanes and the permutation restores neuron order;
       negated, a set flag's byte (1) has its top bit set, which movemask collects */
    _snngen_v4di packed = (_snngen_v4di)__builtin_ia32_packsswb256(low, high);
    _snngen_v32qi bytes = (_snngen_v32qi)__builtin_ia32_permdi256(packed, 0xD8);
    return (uint32_t)__builtin_ia32_pmovmskb256(-bytes);
}
#else
#define _SNNGEN_VECTOR_TEST "portable"
static inline uint32_t _snngen_flag_bits(const uint16_t* flags) {
    return _snngen_flag_bits_portable(flags);
}
#endif
/* The indices of the set flags among `size` (zero-padded to a multiple of 32), in order,
   written to `spikes`; their number. */
static inline int64_t _snngen_spiking(const uint16_t* flags, int64_t size, int32_t* spikes) {
    int64_t count = 0;
    for (int64_t base = 0; base < size; base += 32) {
        uint32_t bits = _snngen_flag_bits(flags + base);
        for (; bits; bits &= bits - 1)
            spikes[count++] = (int32_t)(base + __builtin_ctz(bits));
    }
    return count;
}
