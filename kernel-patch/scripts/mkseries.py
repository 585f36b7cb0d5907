#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
Regenerate patches/*.patch with git format-patch.

The series is made against Linux v6.16 (the last release without streams).
The full v6.16 tree is not available on the build machines, so this script
builds a scratch git repository whose "base" commit holds, for every file
the series modifies, the v6.16 lines around each change at their v6.16
line numbers (padded with filler lines that never reach a diff's context),
and copies the new files from this tree. Each patch is one commit on top;
git format-patch writes the series. Index lines of modified files would name
blobs of the scratch files, not of v6.16, so they are dropped (git apply
and patch do not need them).

Usage: scripts/mkseries.py [scratch-dir [output-dir]]
       (defaults: build/mkseries, patches/; the output is deterministic,
       so check-series.sh regenerates it elsewhere and compares)
"""
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
SCRATCH = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, 'build', 'mkseries'))
AUTHOR = 'Seed 1f406ab0 maintainers <maintainers@users.noreply.b-seed-1f406ab0.example>'
DATE = '2026-11-24T10:00:00+00:00'

# v6.16 excerpts: path -> list of (first line number, text)
BASE = {
    'include/linux/bpf.h': [
        (31, """#include <linux/memcontrol.h>
#include <linux/cfi.h>
#include <asm/rqspinlock.h>

struct bpf_verifier_env;
struct bpf_verifier_log;
"""),
        (1640, """		struct work_struct work;
		struct rcu_head	rcu;
	};
};

struct bpf_prog {
"""),
    ],
    'kernel/bpf/Makefile': [
        (14, """obj-${CONFIG_BPF_LSM} += bpf_inode_storage.o
obj-$(CONFIG_BPF_SYSCALL) += disasm.o mprog.o
obj-$(CONFIG_BPF_JIT) += trampoline.o
obj-$(CONFIG_BPF_SYSCALL) += btf.o memalloc.o rqspinlock.o
ifeq ($(CONFIG_MMU)$(CONFIG_64BIT),yy)
obj-$(CONFIG_BPF_SYSCALL) += arena.o range_tree.o
endif
"""),
    ],
    'kernel/bpf/core.c': [
        (133, """	mutex_init(&fp->aux->used_maps_mutex);
	mutex_init(&fp->aux->ext_mutex);
	mutex_init(&fp->aux->dst_mutex);

	return fp;
}

"""),
        (2859, """	aux = container_of(work, struct bpf_prog_aux, work);
#ifdef CONFIG_BPF_SYSCALL
	bpf_free_kfunc_btf_tab(aux->kfunc_btf_tab);
#endif
#ifdef CONFIG_CGROUP_BPF
	if (aux->cgroup_atype != CGROUP_BPF_ATTACH_TYPE_INVALID)
"""),
    ],
    'kernel/bpf/syscall.c': [
        (5933, """	return bpf_token_create(attr);
}

static int __sys_bpf(enum bpf_cmd cmd, bpfptr_t uattr, unsigned int size)
{
	union bpf_attr attr;
"""),
        (6069, """	case BPF_TOKEN_CREATE:
		err = token_create(&attr);
		break;
	default:
		err = -EINVAL;
		break;
"""),
    ],
    'kernel/bpf/helpers.c': [
        (3387, """BTF_ID_FLAGS(func, bpf_iter_dmabuf_next, KF_ITER_NEXT | KF_RET_NULL | KF_SLEEPABLE)
BTF_ID_FLAGS(func, bpf_iter_dmabuf_destroy, KF_ITER_DESTROY | KF_SLEEPABLE)
#endif
BTF_KFUNCS_END(common_btf_ids)

static const struct btf_kfunc_id_set common_kfunc_set = {
"""),
    ],
}
UAPI = [
    (903, """ *		A new file descriptor (a nonnegative integer), or -1 if an
 *		error occurred (in which case, *errno* is set appropriately).
 *
 * NOTES
 *	eBPF objects (maps and programs) can be shared between processes.
 *
"""),
    (959, """	BPF_LINK_DETACH,
	BPF_PROG_BIND_MAP,
	BPF_TOKEN_CREATE,
	__MAX_BPF_CMD,
};

"""),
    (1461, """
#define BPF_OBJ_NAME_LEN 16U

union bpf_attr {
	struct { /* anonymous struct used by BPF_MAP_CREATE command */
		__u32	map_type;	/* one of enum bpf_map_type */
"""),
    (1846, """		__u32		flags;
		__u32		bpffs_fd;
	} token_create;

} __attribute__((aligned(8)));

/* The description below is an attempt at providing documentation to eBPF
"""),
]
BASE['include/uapi/linux/bpf.h'] = UAPI
BASE['tools/include/uapi/linux/bpf.h'] = UAPI

UAPI_EDITS = [
    (""" *		error occurred (in which case, *errno* is set appropriately).
 *
 * NOTES
""", """ *		error occurred (in which case, *errno* is set appropriately).
 *
 * BPF_PROG_STREAM_READ_BY_FD
 *	Description
 *		Read text that the program referred to by *prog_fd* wrote to
 *		its stream *stream_id* (**BPF_STREAM_STDOUT** or
 *		**BPF_STREAM_STDERR**): BPF programs with the
 *		**bpf_stream_vprintk**\\ () kfunc, the kernel with its reports
 *		about the program. Up to *stream_buf_len* bytes are copied to
 *		*stream_buf*, oldest first; what does not fit stays queued for
 *		the next read. The text carries no NUL terminator.
 *
 *	Return
 *		The number of bytes copied, 0 if the stream is empty, or -1
 *		if an error occurred (in which case, *errno* is set
 *		appropriately). **EFAULT** is reported only when no byte
 *		could be copied.
 *
 * NOTES
"""),
    ("""	BPF_TOKEN_CREATE,
	__MAX_BPF_CMD,
""", """	BPF_TOKEN_CREATE,
	BPF_PROG_STREAM_READ_BY_FD,
	__MAX_BPF_CMD,
"""),
    ("""#define BPF_OBJ_NAME_LEN 16U

""", """#define BPF_OBJ_NAME_LEN 16U

/* Stream ids of BPF_PROG_STREAM_READ_BY_FD and of bpf_stream_vprintk(). */
enum {
	BPF_STREAM_STDOUT = 1,
	BPF_STREAM_STDERR = 2,
};

"""),
    ("""	} token_create;

""", """	} token_create;

	struct { /* struct used by BPF_PROG_STREAM_READ_BY_FD command */
		__aligned_u64	stream_buf;
		__u32		stream_buf_len;
		__u32		stream_id;
		__u32		prog_fd;
	} prog_stream_read;

"""),
]

SERIES = [
    {
        'subject': 'bpf: Add BPF standard streams',
        'body': """Give every BPF program two text streams, BPF_STDOUT and BPF_STDERR,
that can be written from any context, NMI included, and drained by user
space (the read command and the kfunc follow in the next patches).

Writers take memory from a per-CPU bump allocator: each CPU caches one
page from alloc_pages_nolock() and carves 8-byte aligned elements from it
under a local_trylock_t, so a writer that interrupts the allocator on its
own CPU fails with -ENOMEM instead of deadlocking. A page holds one
reference for the CPU cache and one per element and is returned with
free_pages_nolock() when the last one drops, whichever program or stream
the elements went to.

Elements are pushed with llist_add() onto the stream's lock-free LIFO
log. A reader, under the stream mutex, takes the whole log, reverses it
and appends it to a FIFO backlog, then copies bytes out oldest first.
A partly read element stays at the head with its consumed length
advanced; a fault while copying keeps the unread bytes queued, and the
read returns what was copied before the fault (-EFAULT only if nothing).

Each stream may hold BPF_STREAM_MAX_CAPACITY bytes; a write of len bytes
is refused with -ENOSPC when queued + len >= capacity. The charge is
taken with a cmpxchg loop, so concurrent writers never see a transient
over-count, and it is given back when the allocation fails (otherwise
failed writes would fill the stream for good). No NUL byte is stored.

The kernel writes reports as one block with bpf_stream_stage(): messages
are formatted into elements of an on-stack stage and the whole batch is
spliced into the stream with a single llist_add_batch(), so concurrent
writers never interleave inside a report. At most
BPF_PROG_STREAM_ERROR_CNT reports are staged per program; the counter
saturates at the limit.

The stream state lives in struct bpf_prog_aux; it is set up in
bpf_prog_alloc_no_stats() and released in bpf_prog_free_deferred().
""",
        'edits': {
            'include/linux/bpf.h': [
                ("""#include <asm/rqspinlock.h>
""", """#include <asm/rqspinlock.h>
#include <linux/bpf_stream.h>
"""),
                ("""		struct rcu_head	rcu;
	};
};
""", """		struct rcu_head	rcu;
	};
	struct bpf_stream stream[BPF_STREAM_NR];
	atomic_t stream_error_cnt;
};
"""),
            ],
            'kernel/bpf/Makefile': [
                ("obj-$(CONFIG_BPF_SYSCALL) += btf.o memalloc.o rqspinlock.o\n",
                 "obj-$(CONFIG_BPF_SYSCALL) += btf.o memalloc.o rqspinlock.o stream.o\n"),
            ],
            'kernel/bpf/core.c': [
                ("""	mutex_init(&fp->aux->dst_mutex);

	return fp;
""", """	mutex_init(&fp->aux->dst_mutex);

#ifdef CONFIG_BPF_SYSCALL
	bpf_prog_stream_init(fp);
#endif

	return fp;
"""),
                ("""	bpf_free_kfunc_btf_tab(aux->kfunc_btf_tab);
#endif
""", """	bpf_free_kfunc_btf_tab(aux->kfunc_btf_tab);
	bpf_prog_stream_free(aux->prog);
#endif
"""),
            ],
        },
        'new': ['include/linux/bpf_stream.h', 'kernel/bpf/stream.c'],
    },
    {
        'subject': 'bpf: Add BPF_PROG_STREAM_READ_BY_FD command',
        'body': """Let user space drain a program's streams with bpf(2):

	attr.prog_stream_read = { stream_buf, stream_buf_len, stream_id, prog_fd }

returns the bytes copied (0 when the stream is empty), -ENOENT for a
stream id other than BPF_STREAM_STDOUT/BPF_STREAM_STDERR, -EFAULT when
not a single byte could be copied, and the usual -EBADF/-EINVAL for a
bad prog_fd or attr.

stream_buf_len is a u32 and is handed to bpf_prog_stream_read() as one;
the stream code clamps it to INT_MAX so that the int return value can
never turn negative for a large buffer.
""",
        'edits': {
            'include/uapi/linux/bpf.h': UAPI_EDITS,
            'tools/include/uapi/linux/bpf.h': UAPI_EDITS,
            'kernel/bpf/syscall.c': [
                ("""	return bpf_token_create(attr);
}

""", """	return bpf_token_create(attr);
}

#define BPF_PROG_STREAM_READ_BY_FD_LAST_FIELD prog_stream_read.prog_fd

static int prog_stream_read(union bpf_attr *attr)
{
	void __user *ubuf = u64_to_user_ptr(attr->prog_stream_read.stream_buf);
	struct bpf_prog *prog;
	int ret;

	if (CHECK_ATTR(BPF_PROG_STREAM_READ_BY_FD))
		return -EINVAL;

	prog = bpf_prog_get(attr->prog_stream_read.prog_fd);
	if (IS_ERR(prog))
		return PTR_ERR(prog);
	/* The u32 length is clamped to INT_MAX by the stream code. */
	ret = bpf_prog_stream_read(prog, attr->prog_stream_read.stream_id, ubuf,
				   attr->prog_stream_read.stream_buf_len);
	bpf_prog_put(prog);
	return ret;
}

"""),
                ("""		err = token_create(&attr);
		break;
""", """		err = token_create(&attr);
		break;
	case BPF_PROG_STREAM_READ_BY_FD:
		err = prog_stream_read(&attr);
		break;
"""),
            ],
        },
        'new': [],
    },
    {
        'subject': 'bpf: Add bpf_stream_vprintk() kfunc',
        'body': """Register bpf_stream_vprintk() for all program types:

	int bpf_stream_vprintk(int stream_id, const char *fmt__str,
			       const void *args, u32 len__sz, void *aux__prog);

It takes the same format and packed u64 arguments as bpf_trace_vprintk()
(at most MAX_BPRINTF_VARARGS, len__sz a multiple of 8) and the verifier
supplies the calling program's aux through aux__prog. Returns 0, or
-ENOENT, -EINVAL, -ENOSPC, -ENOMEM, -EBUSY.

Before formatting, the stream is checked against the literal text of the
format (what it prints whatever the arguments), so a full stream refuses
the call without paying for bpf_bprintf_prepare() and bstr_printf().
Output longer than BPF_STREAM_MSG_MAX bytes is truncated, never dropped.
""",
        'edits': {
            'kernel/bpf/helpers.c': [
                ("""#endif
BTF_KFUNCS_END(common_btf_ids)
""", """#endif
BTF_ID_FLAGS(func, bpf_stream_vprintk, KF_TRUSTED_ARGS)
BTF_KFUNCS_END(common_btf_ids)
"""),
            ],
        },
        'new': [],
    },
]


def git(*args, **kw):
    env = dict(os.environ, GIT_AUTHOR_DATE=DATE, GIT_COMMITTER_DATE=DATE,
               GIT_AUTHOR_NAME=AUTHOR.split(' <')[0], GIT_AUTHOR_EMAIL=AUTHOR.split('<')[1][:-1],
               GIT_COMMITTER_NAME=AUTHOR.split(' <')[0],
               GIT_COMMITTER_EMAIL=AUTHOR.split('<')[1][:-1],
               GIT_CEILING_DIRECTORIES=os.path.dirname(SCRATCH))
    return subprocess.run(['git', '-c', 'core.autocrlf=false', '-c', 'commit.gpgsign=false', *args],
                          cwd=SCRATCH, check=True, env=env, stdout=subprocess.PIPE,
                          text=True, **kw).stdout


def skeleton(excerpts):
    lines = []
    for start, text in excerpts:
        while len(lines) < start - 1:
            lines.append('/* v6.16 line %d: not part of any hunk */' % (len(lines) + 1))
        lines.extend(text.split('\n')[:-1])
    return '\n'.join(lines) + '\n'


def main():
    shutil.rmtree(SCRATCH, ignore_errors=True)
    os.makedirs(SCRATCH)
    git('init', '-q')
    for path, ex in BASE.items():
        os.makedirs(os.path.join(SCRATCH, os.path.dirname(path)), exist_ok=True)
        with open(os.path.join(SCRATCH, path), 'w') as f:
            f.write(skeleton(ex))
    git('add', '-A')
    git('commit', '-q', '-m', 'v6.16 (context excerpts)')
    for p in SERIES:
        for path, edits in p['edits'].items():
            fn = os.path.join(SCRATCH, path)
            s = open(fn).read()
            for old, new in edits:
                if s.count(old) != 1:
                    sys.exit('%s: anchor found %d times: %r' % (path, s.count(old), old[:60]))
                s = s.replace(old, new)
            open(fn, 'w').write(s)
        for path in p['new']:
            os.makedirs(os.path.join(SCRATCH, os.path.dirname(path)), exist_ok=True)
            shutil.copyfile(os.path.join(TOP, path), os.path.join(SCRATCH, path))
        git('add', '-A')
        msg = p['subject'] + '\n\n' + p['body'] + '\nSigned-off-by: ' + AUTHOR + '\n'
        git('commit', '-q', '-F', '-', input=msg)
    outdir = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(TOP, 'patches')
    os.makedirs(outdir, exist_ok=True)
    for old in os.listdir(outdir):
        if old.endswith('.patch'):
            os.remove(os.path.join(outdir, old))
    files = git('format-patch', '-q', '--stat=80', '-o', outdir,
                'HEAD~%d' % len(SERIES)).split()
    for fn in sorted(os.listdir(outdir)):
        if not fn.endswith('.patch'):
            continue
        path = os.path.join(outdir, fn)
        text = open(path).read()
        # drop index lines of modified files (they name scratch blobs)
        text = re.sub(r'^index [0-9a-f]+\.\.[0-9a-f]+ 100644\n', '', text, flags=re.M)
        # hunk headers would name functions of the scratch files: drop them
        text = re.sub(r'^(@@ -[0-9,]+ \+[0-9,]+ @@).*$', r'\1', text, flags=re.M)
        text = text.replace('\n---\n', '\n---\nBase: v6.16 (see kernel-patch/README.md)\n\n', 1)
        open(path, 'w').write(text)
        print('wrote', path)


main()
