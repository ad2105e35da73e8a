/* SPDX-License-Identifier: MIT */
/*
 * checksum.c - SHA-256 of migration scripts through OpenSSL's libcrypto
 * EVP interface (a well-kept implementation instead of a hand-written one).
 * CRLF is normalised to LF while hashing, without copying the script.
 */
#include "config.h"

#include <openssl/evp.h>
#include <string.h>

#include "checksum.h"

/* Feed text to ctx, dropping the CR of each CRLF pair. */
static int hash_normalised(EVP_MD_CTX *ctx, const char *text, size_t len)
{
	size_t start = 0, i;

	for (i = 0; i + 1 < len; i++) {
		if (text[i] != '\r' || text[i + 1] != '\n')
			continue;
		if (EVP_DigestUpdate(ctx, text + start, i - start) != 1)
			return -1;
		start = i + 1;
	}
	if (len > start &&
	    EVP_DigestUpdate(ctx, text + start, len - start) != 1)
		return -1;
	return 0;
}

int dbshift__checksum_script(const char *text, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int digest_len = 0, i;
	EVP_MD_CTX *ctx;
	int rc = -1;

	ctx = EVP_MD_CTX_new();
	if (ctx == NULL)
		return -1;
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    hash_normalised(ctx, text, len) != 0 ||
	    EVP_DigestFinal_ex(ctx, digest, &digest_len) != 1 ||
	    digest_len != 32)
		goto out_free_ctx;
	for (i = 0; i < digest_len; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 15];
	}
	out[64] = '\0';
	rc = 0;
out_free_ctx:
	EVP_MD_CTX_free(ctx);
	return rc;
}
