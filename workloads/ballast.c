/* ballast: holds N MiB of resident, incompressible memory so a migration has real state to
 * move. Fills it once with xorshift output, then sleeps; it never writes again, so the
 * pages it holds are stable (the counter beside it is the part that changes). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 0;
    size_t words = mib * 1024 * 1024 / sizeof(uint64_t);
    uint64_t *mem = malloc(words * sizeof(uint64_t) + 1);
    if (!mem) { fprintf(stderr, "ballast: cannot allocate %zu MiB\n", mib); return 1; }
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < words; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; mem[i] = x; }
    fprintf(stderr, "ballast: holding %zu MiB\n", mib);
    for (;;) pause();
}
