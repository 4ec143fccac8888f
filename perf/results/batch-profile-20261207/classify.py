#!/usr/bin/env python3
"""Classifies one thread's CPU samples from `perf script -F event,ip,sym` (callchains) into where its time went.
Usage: perf script -i perf.data --tid TID -F event,ip,sym | python3 classify.py"""
import collections
import sys

blocks = sys.stdin.read().split('\n\n')
counts = collections.Counter()
total = 0
for block in blocks:
    if 'cpu-clock' not in block:
        continue
    total += 1
    frames = [line.split()[-1] for line in block.strip().split('\n')[1:] if line.strip()]
    if 'asm_exc_page_fault' in frames:
        if '__pte_offset_map_lock' in frames and 'native_queued_spin_lock_slowpath' in frames:
            kind = 'page fault: waiting for the page-table lock'
        elif frames[0] == 'pvm_irq_enable' and frames[2] == 'exc_page_fault':
            kind = 'page fault: entry (interrupts off)'
        else:
            kind = 'page fault: the rest'
    elif 'fdatasync' in frames:
        kind = 'fdatasync: write-protecting (TLB flush)' if 'flush_tlb_mm_range' in frames else 'fdatasync: the rest'
    elif 'common_interrupt' in frames or any(f.startswith('asm_sysvec') for f in frames):
        kind = 'interrupt'
    elif frames and (frames[0].startswith('0x') or frames[0] == '[unknown]'):
        kind = 'JIT-compiled Java'
    else:
        kind = 'other: ' + (frames[0] if frames else '?')
    counts[kind] += 1
print(f"{total} samples")
for kind, n in counts.most_common(12):
    print(f"{n:7d} {100.0 * n / total:5.1f}%  {kind}")
