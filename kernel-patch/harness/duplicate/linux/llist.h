/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Harness duplicate of the lock-less list on C11 atomics: producers publish
 * with a release CAS, consumers take the list with an acquire exchange.
 */
#ifndef LLIST_H
#define LLIST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/kernel.h>

struct llist_node {
	struct llist_node *next;
};

struct llist_head {
	struct llist_node *_Atomic first;
};

static inline void init_llist_head(struct llist_head *list)
{
	atomic_store_explicit(&list->first, NULL, memory_order_relaxed);
}

/* Off-list marker, as in the kernel: a node pointing at itself. */
static inline void init_llist_node(struct llist_node *node)
{
	node->next = node;
}

#define llist_entry(ptr, type, member)	container_of(ptr, type, member)

#define member_address_is_nonnull(ptr, member)	\
	((uintptr_t)(ptr) + offsetof(__typeof__(*(ptr)), member) != 0)

#define llist_for_each_entry_safe(pos, n, node, member)				\
	for (pos = llist_entry((node), __typeof__(*pos), member);		\
	     member_address_is_nonnull(pos, member) &&				\
		(n = llist_entry(pos->member.next, __typeof__(*n), member), true); \
	     pos = n)

static inline bool llist_empty(const struct llist_head *head)
{
	return atomic_load_explicit(&((struct llist_head *)head)->first,
				    memory_order_relaxed) == NULL;
}

static inline struct llist_node *llist_next(struct llist_node *node)
{
	return node->next;
}

static inline bool llist_add_batch(struct llist_node *new_first,
				   struct llist_node *new_last,
				   struct llist_head *head)
{
	struct llist_node *first = atomic_load_explicit(&head->first,
							memory_order_relaxed);

	do {
		new_last->next = first;
	} while (!atomic_compare_exchange_weak_explicit(&head->first, &first,
							new_first,
							memory_order_release,
							memory_order_relaxed));
	return first == NULL;
}

static inline bool llist_add(struct llist_node *new, struct llist_head *head)
{
	return llist_add_batch(new, new, head);
}

/* Non-atomic add: the caller owns @head exclusively. */
static inline bool __llist_add(struct llist_node *new, struct llist_head *head)
{
	struct llist_node *first = atomic_load_explicit(&head->first,
							memory_order_relaxed);

	new->next = first;
	atomic_store_explicit(&head->first, new, memory_order_relaxed);
	return first == NULL;
}

static inline struct llist_node *llist_del_all(struct llist_head *head)
{
	return atomic_exchange_explicit(&head->first, NULL, memory_order_acquire);
}

static inline struct llist_node *llist_reverse_order(struct llist_node *head)
{
	struct llist_node *new_head = NULL;

	while (head) {
		struct llist_node *tmp = head;

		head = head->next;
		tmp->next = new_head;
		new_head = tmp;
	}
	return new_head;
}

#endif
