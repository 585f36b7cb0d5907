/* SPDX-License-Identifier: GPL-2.0 */
/* Harness anon_inode_getfd() (files.c): a harness fd, see harness.h. */
#ifndef _LINUX_ANON_INODES_H
#define _LINUX_ANON_INODES_H

#include <linux/fs.h>

int anon_inode_getfd(const char *name, const struct file_operations *fops,
		     void *priv, int flags);

#endif
