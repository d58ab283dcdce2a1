/* stream: PF-Docker's write-intensive workload. Holds STREAM_MIB MiB of random-content
 * pages and rewrites whole random pages at DIRTY_MBPS MB/s (like STREAM's write phase, but
 * with incompressible content, so no compression hides the dirty rate).
 *
 * It keeps an incremental checksum of its memory: the sum over pages of a 64-bit hash of
 * each page, updated whenever a page is rewritten. Every 50 ms (on a fixed CLOCK_MONOTONIC
 * schedule, so 20 beats a second; after a freeze it restarts from now instead of bursting) it
 * appends "N REALTIME_MS CHECKSUM" to /data/heartbeat.log. On SIGUSR1 it recomputes the checksum
 * from memory and appends "verify N CHECKSUM RECOMPUTED ok|MISMATCH" to /data/verify.log:
 * after a restore, "ok" proves every page came back with the content it had at the freeze,
 * and the checksum continues from the last one logged before it. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define PAGE 4096
#define WORDS (PAGE / 8)

static volatile sig_atomic_t verify_requested;
static void on_usr1(int sig) { (void)sig; verify_requested = 1; }

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static inline uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

static uint64_t page_hash(const uint64_t *p) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (int i = 0; i < WORDS; i++) { h ^= p[i]; h *= 0x100000001b3ull; }
    return h;
}

static void fill(uint64_t *p) { for (int i = 0; i < WORDS; i++) p[i] = next(); }

static long long clock_ms(clockid_t clock) {
    struct timespec t; clock_gettime(clock, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int main(void) {
    size_t mib = getenv("STREAM_MIB") ? strtoul(getenv("STREAM_MIB"), NULL, 10) : 256;
    double mbps = getenv("DIRTY_MBPS") ? strtod(getenv("DIRTY_MBPS"), NULL) : 20;
    size_t pages = mib * 1024 * 1024 / PAGE;
    /* Optional skew, as real memory writers have a working set: HOT_PERCENT % of the pages
     * (at the start of the buffer) take HOT_SHARE % of the writes. 0 (default): uniform. */
    double hot_percent = getenv("HOT_PERCENT") ? strtod(getenv("HOT_PERCENT"), NULL) : 0;
    unsigned hot_share = getenv("HOT_SHARE") ? (unsigned)strtoul(getenv("HOT_SHARE"), NULL, 10) : 90;
    size_t hot_pages = (size_t)(pages * hot_percent / 100.0);
    uint64_t *mem = aligned_alloc(PAGE, pages * PAGE);
    if (!mem || pages == 0) { fprintf(stderr, "stream: cannot allocate %zu MiB\n", mib); return 1; }
    uint64_t sum = 0;
    for (size_t i = 0; i < pages; i++) { fill(mem + i * WORDS); sum += page_hash(mem + i * WORDS); }
    signal(SIGUSR1, on_usr1);
    mkdir("/data", 0755);
    FILE *beat = fopen("/data/heartbeat.log", "a");
    FILE *ver = fopen("/data/verify.log", "a");
    if (!beat || !ver) { perror("stream: /data"); return 1; }
    fprintf(stderr, "stream: %zu MiB, dirtying %.1f MB/s (hot: %.1f %% of pages take %u %% of writes)\n", mib, mbps, hot_percent, hot_pages ? hot_share : 0);
    const long tick_ms = 10, beat_ms = 50;
    double debt = 0;
    long long next_beat = clock_ms(CLOCK_MONOTONIC);
    for (unsigned long n = 1;;) {
        debt += mbps * 1e6 * tick_ms / 1000.0 / PAGE;
        for (; debt >= 1; debt -= 1) {
            size_t idx = hot_pages > 0 && next() % 100 < hot_share ? next() % hot_pages : next() % pages;
            uint64_t *p = mem + idx * WORDS;
            sum -= page_hash(p);
            fill(p);
            sum += page_hash(p);
        }
        if (verify_requested) {
            verify_requested = 0;
            uint64_t again = 0;
            for (size_t i = 0; i < pages; i++) again += page_hash(mem + i * WORDS);
            fprintf(ver, "verify %lu %016llx %016llx %s\n", n, (unsigned long long)sum, (unsigned long long)again, again == sum ? "ok" : "MISMATCH");
            fflush(ver);
        }
        long long t = clock_ms(CLOCK_MONOTONIC);
        if (t >= next_beat) {
            fprintf(beat, "%lu %lld %016llx\n", n++, clock_ms(CLOCK_REALTIME), (unsigned long long)sum);
            fflush(beat);
            next_beat += beat_ms;
            if (next_beat <= t) next_beat = t + beat_ms;
        }
        struct timespec d = { 0, tick_ms * 1000000L };
        nanosleep(&d, NULL);
    }
}
