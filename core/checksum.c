/* SPDX-License-Identifier: MIT */
/*
 * checksum.c - SHA-256 of migration scripts through OpenSSL's libcrypto
 * EVP interface (a well-kept implementation instead of a hand-written one).
 * CRLF is normalised to LF while hashing, without copying the script.
 *
 * Every script of a run is hashed once, and a run hashes hundreds or
 * thousands: with OpenSSL 3, EVP_sha256() makes each EVP_DigestInit_ex()
 * look the algorithm up in the provider tables again, which cost more
 * than hashing a short script. The algorithm is fetched once per process
 * instead and kept (never freed; a lost race frees its own copy).
 */
#include "config.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdatomic.h>
#include <string.h>

#include "checksum.h"

/* Feed text to ctx, dropping the CR of each CRLF pair. */
static int hash_normalised(EVP_MD_CTX *ctx, const char *text, size_t len)
{
	size_t start = 0, i = 0;
	const char *cr;

	/* memchr() finds the CRs a word or more at a time: most scripts
	 * have none, and a byte loop cost a fifth of the hashing. */
	while (i + 1 < len &&
	       (cr = memchr(text + i, '\r', len - 1 - i)) != NULL) {
		i = (size_t)(cr - text);
		if (text[i + 1] == '\n') {
			if (EVP_DigestUpdate(ctx, text + start, i - start) != 1)
				return -1;
			start = i + 1;
		}
		i++;
	}
	if (len > start &&
	    EVP_DigestUpdate(ctx, text + start, len - start) != 1)
		return -1;
	return 0;
}

/* SHA-256, fetched once (OpenSSL 3), or the built-in table (1.1). */
static const EVP_MD *sha256(void)
{
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	static EVP_MD *_Atomic fetched;
	EVP_MD *md = atomic_load(&fetched), *expected = NULL;

	if (md != NULL)
		return md;
	/* The configuration file is for the host's TLS, not for a
	 * checksum; reading it costs more than the whole run's hashing.
	 * (A no-op when the host application initialised OpenSSL.) */
	OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
	md = EVP_MD_fetch(NULL, "SHA256", NULL);
	if (md == NULL)
		return EVP_sha256();
	if (!atomic_compare_exchange_strong(&fetched, &expected, md)) {
		EVP_MD_free(md);
		return expected;
	}
	return md;
#else
	return EVP_sha256();
#endif
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
	if (EVP_DigestInit_ex(ctx, sha256(), NULL) != 1 ||
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
