/* SPDX-License-Identifier: GPL-2.0 */
/* Harness copy_to_user() with an injectable fault address (uaccess.c). */
#ifndef __LINUX_UACCESS_H
#define __LINUX_UACCESS_H

unsigned long copy_to_user(void __user *to, const void *from, unsigned long n);

#endif
