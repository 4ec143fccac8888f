/*
 * Ferrite: what this machine's memory costs a lookup, measured without a JVM.
 *
 *   memory-floor chase SIZE_MIB        dependent-load latency over SIZE_MIB of memory, 4 KiB pages and 2 MiB pages
 *   memory-floor tail SIZE_MIB SECONDS [TABLE_MIB]
 *                                      a hash table's get without its code: a random slot of a TABLE_MIB (default
 *                                      16) table, then the entry it names in SIZE_MIB of entries (a dependent load),
 *                                      each operation timed alone: the percentiles a sub-microsecond operation can
 *                                      reach here, with JIT, GC and Ferrite left out
 *
 * perf/README.md ("The machine's floor") gives the figures and what they mean for issue 2's targets. Built and run
 * by perf/bin/memory-floor. Linux only (madvise MADV_HUGEPAGE; the kernel must allow THP at least on madvise).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static const size_t HUGE_PAGE = 2u << 20;

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static uint64_t xorshift(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *state = x;
    return x;
}

/* Anonymous memory aligned to 2 MiB, advised to use huge pages or not to, and touched. */
static char *region(size_t bytes, int huge)
{
    char *raw = mmap(NULL, bytes + HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (MAP_FAILED == raw)
    {
        perror("mmap");
        exit(2);
    }
    char *aligned = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (0 != madvise(aligned, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
    {
        perror("madvise");
        exit(2);
    }
    memset(aligned, 1, bytes);
    return aligned;
}

/* One random cycle through every cache line: each load's address is the previous load's value. */
static double chase(size_t bytes, int huge)
{
    char *memory = region(bytes, huge);
    const size_t lines = bytes / 64;
    uint32_t *order = malloc(lines * sizeof(uint32_t));
    for (size_t i = 0; i < lines; i++)
    {
        order[i] = (uint32_t)i;
    }
    uint64_t state = 0x9E3779B97F4A7C15u;
    for (size_t i = lines - 1; i > 0; i--)
    {
        const size_t j = xorshift(&state) % (i + 1);
        const uint32_t swap = order[i];
        order[i] = order[j];
        order[j] = swap;
    }
    for (size_t i = 0; i < lines; i++)
    {
        *(uint64_t *)(memory + (size_t)order[i] * 64) = (uint64_t)order[(i + 1) % lines] * 64;
    }
    free(order);

    const long loads = 4000000;
    uint64_t offset = 0;
    const uint64_t start = now_ns();
    for (long i = 0; i < loads; i++)
    {
        offset = *(volatile uint64_t *)(memory + offset);
    }
    const double perLoad = (double)(now_ns() - start) / loads;
    munmap(memory, bytes);
    return perLoad;
}

static int compare_u64(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a;
    const uint64_t y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/*
 * The hash store's GetItem without its code: a random 8-byte slot of a table (16 MiB: 2 M slots, as for 1 M items),
 * then the entry it names in a 1 GiB arena (a dependent load), both on 2 MiB pages as the store's mapping is.
 */
static void tail(size_t arenaBytes, int seconds, size_t tableBytes)
{
    char *table = region(tableBytes, 1);
    char *arena = region(arenaBytes, 1);
    const size_t slots = tableBytes / 8;
    const size_t entries = arenaBytes / 1024;
    uint64_t state = 0x2545F4914F6CDD1Du;
    for (size_t i = 0; i < slots; i++)
    {
        ((uint64_t *)table)[i] = xorshift(&state) % entries;
    }
    const size_t capacity = 64u << 20;
    uint64_t *samples = malloc(capacity * sizeof(uint64_t));
    size_t count = 0;
    const uint64_t end = now_ns() + (uint64_t)seconds * 1000000000u;
    for (;;)
    {
        const uint64_t start = now_ns();
        if (start >= end || count == capacity)
        {
            break;
        }
        const uint64_t entry = ((volatile uint64_t *)table)[xorshift(&state) % slots];
        (void)*(volatile uint64_t *)(arena + entry * 1024);
        samples[count++] = now_ns() - start;
    }
    qsort(samples, count, sizeof(uint64_t), compare_u64);
    const double quantiles[] = {0.5, 0.9, 0.99, 0.999, 0.9999};
    printf("slot then entry (%zu MiB table, %zu MiB arena, 2 MiB pages), %d s: %zu operations (%.2f M/s), "
        "each timed alone (ns):", tableBytes >> 20, arenaBytes >> 20, seconds, count, count / 1e6 / seconds);
    for (int i = 0; i < 5; i++)
    {
        printf(" p%g %lu", quantiles[i] * 100, (unsigned long)samples[(size_t)(quantiles[i] * (count - 1))]);
    }
    printf(" max %lu; p99.9/p50 %.0fx\n", (unsigned long)samples[count - 1],
        (double)samples[(size_t)(0.999 * (count - 1))] / samples[(count - 1) / 2]);
    free(samples);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && 0 == strcmp(argv[1], "chase"))
    {
        const size_t bytes = (size_t)atol(argv[2]) << 20;
        const double small = chase(bytes, 0);
        const double large = chase(bytes, 1);
        printf("chase %s MiB: %.0f ns per dependent load with 4 KiB pages, %.0f ns with 2 MiB pages\n",
            argv[2], small, large);
        return 0;
    }
    if (argc >= 4 && 0 == strcmp(argv[1], "tail"))
    {
        tail((size_t)atol(argv[2]) << 20, atoi(argv[3]), (size_t)(argc >= 5 ? atol(argv[4]) : 16) << 20);
        return 0;
    }
    fprintf(stderr, "usage: memory-floor chase SIZE_MIB | memory-floor tail SIZE_MIB SECONDS [TABLE_MIB]\n");
    return 1;
}
