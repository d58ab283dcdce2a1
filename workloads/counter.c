/* counter: the demo workload. Keeps a counter in memory and appends "N REALTIME_MS" to
 * /data/counter.log ten times a second through one open file; the log is the heartbeat an
 * observer reads. REALTIME is used because CRIU restores CLOCK_MONOTONIC/BOOTTIME through a
 * time namespace, which would hide the freeze. With BALLAST_MIB=N it also holds N MiB of
 * resident, incompressible memory, written once, so a migration has real state to move. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

static void *ballast(size_t mib) {
    size_t words = mib * 1024 * 1024 / sizeof(uint64_t);
    uint64_t *mem = malloc(words * sizeof(uint64_t) + 1);
    if (!mem) { fprintf(stderr, "counter: cannot allocate %zu MiB\n", mib); exit(1); }
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < words; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; mem[i] = x; }
    return mem;
}

int main(void) {
    const char *mib = getenv("BALLAST_MIB");
    void *held = mib ? ballast(strtoul(mib, NULL, 10)) : NULL;
    mkdir("/data", 0755);
    FILE *log = fopen("/data/counter.log", "a");
    if (!log) { perror("counter: /data/counter.log"); return 1; }
    fprintf(stderr, "counter: started, holding %s MiB at %p\n", mib ? mib : "0", held);
    const struct timespec tick = { 0, 100 * 1000 * 1000 };
    for (unsigned long n = 1;; n++) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        fprintf(log, "%lu %lld\n", n, (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);
        fflush(log);
        nanosleep(&tick, NULL);
    }
}
