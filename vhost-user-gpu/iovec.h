/* SPDX-License-Identifier: MIT */
/*
 * Bytes at the start of an iovec array (a descriptor chain's readable or
 * writable part), copied out or in.
 */
#ifndef VUGPU_IOVEC_H
#define VUGPU_IOVEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* Copies up to len bytes from the start of iov[0, n). @return the bytes
 * copied (fewer when the pieces hold fewer). */
size_t iovec_gather(const struct iovec *iov, size_t n, void *dst, size_t len);
/* Copies up to len bytes of src to the start of iov[0, n). */
void iovec_scatter(const struct iovec *iov, size_t n, const void *src, size_t len);
/* The type of a request or response in iov[0, n): its first four bytes,
 * little-endian; 0 when it has fewer. */
uint32_t iovec_type(const struct iovec *iov, size_t n);

#endif
