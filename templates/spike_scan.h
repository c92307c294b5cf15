/* The neuron pass's spike-flag scan, in C for the vector test (helpers.pyx.j2 includes it
   verbatim; tests/numerics/test_helpers.py compiles it alone for each instruction set). */
#include <stdint.h>
#include <string.h>
#if defined(__AVX512BW__) || defined(__AVX2__)
#include <immintrin.h>
#endif
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
   ctz instead of a test per flag. */
static inline uint32_t _snngen_flag_bits(const uint16_t* flags) {
#if defined(__AVX512BW__)
    __m512i x = _mm512_loadu_si512((const void*)flags);
    return (uint32_t)_mm512_test_epi16_mask(x, x);
#elif defined(__AVX2__)
    __m256i low = _mm256_loadu_si256((const __m256i*)flags);
    __m256i high = _mm256_loadu_si256((const __m256i*)(flags + 16));
    /* packs interleaves the halves' 128-bit lanes; the permutation restores neuron order */
    __m256i bytes = _mm256_permute4x64_epi64(_mm256_packs_epi16(low, high), 0xD8);
    return (uint32_t)_mm256_movemask_epi8(_mm256_cmpgt_epi8(bytes, _mm256_setzero_si256()));
#else
    return _snngen_flag_bits_portable(flags);
#endif
}
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
