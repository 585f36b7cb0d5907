/* UAPI headers plus the kernel's stream enum declared by hand. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
enum bpf_stream_id { BPF_STDOUT = 1, BPF_STDERR = 2 };
#include <bpf_stream.h>
#include "body.h"
