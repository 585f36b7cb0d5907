// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * matrix/probe: what this kernel offers, as key=value lines for the kernel
 * matrix's table (matrix/table.sh). The kernel's own answers come from
 * tests/common/kernel_probe.c; the transport is what bpf_stream_prepare()
 * picks for a test object on this kernel, with its reason.
 *
 *   probe [OBJECT.bpf.o]     default: TEST_BPF_DIR/tr_multi.bpf.o
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "libbpf_stream.h"
#include "kernel_probe.h"

static int quiet(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : TEST_BPF_DIR "/tr_multi.bpf.o";
	const char *reason = NULL, *kfunc;
	struct bpf_object *obj;
	int nr_args = 0, t, err;

	libbpf_set_print(quiet);
	kfunc = kp_stream_kfunc(&nr_args);
	printf("kernel=%s\n", kp_kernel());
	printf("stream_read=%s\n", kp_has_stream_read() ? "yes" : "no");
	if (kfunc)
		printf("kfunc=%s/%d\n", kfunc, nr_args);
	else
		printf("kfunc=none\n");
	err = kp_native_write();
	printf("native_write=%s\n", err ? "no" : "yes");
	printf("native_write_why=%s\n", err ? kp_native_write_why() : "a write landed and was read back");

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		printf("transport=none\nreason=cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	err = bpf_stream_prepare(obj);
	if (err) {
		printf("transport=none\nreason=bpf_stream_prepare: %s\n", strerror(-err));
		bpf_object__close(obj);
		return 1;
	}
	t = bpf_stream_object_transport(obj, &reason);
	printf("transport=%s\nreason=%s\n", bpf_stream_transport_str(t), reason ? reason : "");
	err = bpf_object__load(obj);
	printf("load=%s\n", err ? strerror(-err) : "ok");
	bpf_stream_release(obj);
	bpf_object__close(obj);
	return err ? 1 : 0;
}
