/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness control API: simulated CPUs, allocation budget, user-copy fault
 * injection, files and counters the tests observe.
 */
#ifndef _HARNESS_H
#define _HARNESS_H

#include <stdbool.h>
#include <stddef.h>

#define HARNESS_NR_CPUS	8

/* Simulated CPUs: a thread runs as one CPU id until it binds another. */
void harness_cpu_bind(int cpu);
void harness_cpu_unbind(void);
int harness_cpu_id(void);

/*
 * kmalloc_nolock()/kmalloc(): allow @n more successful allocations, then
 * fail (n < 0: no limit). Counters are global across threads.
 */
void harness_kmalloc_fail_after(long n);
long harness_kmalloc_live(void);
unsigned long harness_kmalloc_allocated(void);
unsigned long harness_kmalloc_failed(void);

/*
 * copy_to_user(): destination bytes at or above @addr fault (NULL: none).
 * Addresses below 4096 always fault, as the kernel's NULL page does, and so
 * does a range that leaves the user address space (access_ok()).
 */
void harness_uaccess_fault_from(const void *addr);

/*
 * Simulated interrupt: @fn runs once on this thread inside the next
 * kmalloc_nolock(), as an NMI arriving in the allocator would; an
 * allocation made from @fn fails, as kmalloc_nolock() may when it
 * interrupted itself on this CPU.
 */
void harness_irq_hook_once(void (*fn)(void *), void *arg);

/*
 * Files from anon_inode_getfd(): harness fds start at HARNESS_FD_BASE.
 * harness_file_poll() returns the poll mask; harness_file_wait() sleeps on
 * the file's wait queue until the mask has one of @events or @timeout_ms
 * passed (returns the mask & @events); harness_file_wakeups() counts the
 * wake-ups of the file's wait queue.
 */
#define HARNESS_FD_BASE	1000
unsigned int harness_file_poll(int fd);
unsigned int harness_file_wait(int fd, unsigned int events, int timeout_ms);
unsigned long harness_file_wakeups(int fd);
long harness_file_read(int fd, void *buf, size_t len);
/* The open flags the file was created with (O_RDONLY, O_CLOEXEC, ...). */
unsigned int harness_file_flags(int fd);
void harness_file_close(int fd);
long harness_files_open(void);

/* bpf_bprintf_prepare() calls made so far by the calling thread. */
unsigned long harness_bprintf_calls(void);

#endif
