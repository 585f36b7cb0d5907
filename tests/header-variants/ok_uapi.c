/* Plain UAPI headers (Debian's 6.1: no stream enum, no kfuncs). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf_stream.h>
#include "body.h"
