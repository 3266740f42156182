/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <string.h>

#include "iovec.h"
#include "util/util.h"

size_t iovec_gather(const struct iovec *iov, size_t n, void *dst, size_t len)
{
	size_t done = 0;

	for (size_t i = 0; i < n && done < len; i++) {
		size_t k = iov[i].iov_len < len - done ? iov[i].iov_len : len - done;

		memcpy((uint8_t *)dst + done, iov[i].iov_base, k);
		done += k;
	}
	return done;
}

void iovec_scatter(const struct iovec *iov, size_t n, const void *src, size_t len)
{
	size_t done = 0;

	for (size_t i = 0; i < n && done < len; i++) {
		size_t k = iov[i].iov_len < len - done ? iov[i].iov_len : len - done;

		memcpy(iov[i].iov_base, (const uint8_t *)src + done, k);
		done += k;
	}
}

uint32_t iovec_type(const struct iovec *iov, size_t n)
{
	uint8_t b[4];

	return iovec_gather(iov, n, b, sizeof(b)) == sizeof(b) ? le32(b) : 0;
}
