/* The header twice (as two .bpf.c files of one object would see it), with
 * overridden limits and timestamps. */
#include "vmlinux.h"
#define BPF_STREAM_MSG_MAX 200
#define BPF_STREAM_RINGBUF_SIZE (64 * 1024)
#define BPF_STREAM_TIMESTAMP
#include <bpf_stream.h>
#include <bpf_stream.h>
#include "body.h"
