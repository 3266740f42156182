/* SPDX-License-Identifier: MIT */
/*
 * A forbidden call on purpose, for the tests (sandbox.h): each of the
 * kinds of rule the filter has, one call it refuses.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

void sandbox_selftest(void)
{
	const char *call = getenv("VGM_SANDBOX_SELFTEST");
	int n;

	if (!call || !*call)
		return;
	log_error("sandbox self-test: calling %s, which the sandbox forbids", call);
	if (strcmp(call, "socket") == 0) /* not allowed at all */
		close(socket(AF_INET, SOCK_STREAM, 0));
	else if (strcmp(call, "mmap-exec") == 0) /* allowed without PROT_EXEC only */
		mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	else if (strcmp(call, "ioctl") == 0) /* SIOCOUTQ only */
		ioctl(STDIN_FILENO, FIONREAD, &n);
	else if (strcmp(call, "open") == 0) /* files are opened before */
		close(open("/dev/null", O_RDONLY | O_CLOEXEC));
	else
		log_error("sandbox self-test: unknown call %s", call);
}
