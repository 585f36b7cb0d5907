/* bpftool <= 7.4 vmlinux.h: the stream enum, no kfunc prototypes. */
#include "vmlinux.h"
#include <bpf_stream.h>
#include "body.h"
