/* SPDX-License-Identifier: GPL-2.0 */
/* Harness files (files.c): just what anon-inode files of the stream use. */
#ifndef _LINUX_FS_H
#define _LINUX_FS_H

#include <fcntl.h>
#include <sys/types.h>
#include <linux/types.h>

typedef unsigned int __poll_t;

struct inode;
struct file;
struct poll_table_struct;

struct file_operations {
	__poll_t (*poll)(struct file *file, struct poll_table_struct *pt);
	ssize_t (*read)(struct file *file, char __user *buf, size_t len, loff_t *ppos);
	int (*release)(struct inode *inode, struct file *file);
	loff_t (*llseek)(struct file *file, loff_t offset, int whence);
};

struct file {
	const struct file_operations *f_op;
	void *private_data;
	unsigned int f_flags;
};

loff_t noop_llseek(struct file *file, loff_t offset, int whence);

#endif
