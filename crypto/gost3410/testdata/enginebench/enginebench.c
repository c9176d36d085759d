/*
 * enginebench: the reference timings of docs/benchmarks.md (issue 16).
 *
 * It times OpenSSL's GOST engine through the EVP API, in this process, on
 * every parameter set: GOST R 34.10-2012 signing and verification of a
 * Streebog digest (EVP_PKEY_sign / EVP_PKEY_verify, what "openssl pkeyutl"
 * and the engine's CMS and X.509 code call) and Streebog-256/512 over 8 KiB
 * and 1 MiB inputs (EVP_Digest). The engine is loaded by the configuration
 * that OPENSSL_CONF names (testdata/openssl/gost.cnf).
 *
 * Output, one line per figure:
 *   sign   <set> <µs per op>
 *   verify <set> <µs per op>
 *   hash   <md> <bytes> <MB/s>
 *
 * Usage: enginebench [seconds per figure, default 1] [what...]
 * where each "what" is a parameter set name (cryptopro-a, ..., tc26-512-c)
 * or "hash"; without one, everything.
 */
#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double seconds = 1.0;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "enginebench: %s\n", what);
    ERR_print_errors_fp(stderr);
    exit(1);
}

static EVP_PKEY *keygen(const char *alg, const char *paramset)
{
    int nid = OBJ_txt2nid(alg);
    EVP_PKEY_CTX *ctx;
    EVP_PKEY *key = NULL;

    if (nid == NID_undef)
        die("unknown algorithm (is the gost engine loaded through OPENSSL_CONF?)");
    ctx = EVP_PKEY_CTX_new_id(nid, NULL);
    if (ctx == NULL || EVP_PKEY_keygen_init(ctx) <= 0
        || EVP_PKEY_CTX_ctrl_str(ctx, "paramset", paramset) <= 0
        || EVP_PKEY_keygen(ctx, &key) <= 0)
        die("key generation");
    EVP_PKEY_CTX_free(ctx);
    return key;
}

/* wanted reports whether name is among argv[2..], or there are none. */
static int wanted(int argc, char **argv, const char *name)
{
    int a;

    if (argc <= 2)
        return 1;
    for (a = 2; a < argc; a++)
        if (strcmp(argv[a], name) == 0)
            return 1;
    return 0;
}

static void bench_set(const char *name, const char *alg, const char *paramset, size_t size)
{
    EVP_PKEY *key = keygen(alg, paramset);
    EVP_PKEY_CTX *sctx = EVP_PKEY_CTX_new(key, NULL), *vctx = EVP_PKEY_CTX_new(key, NULL);
    unsigned char digest[64], sig[128];
    size_t siglen;
    long n;
    double start, el;

    memset(digest, 0x5a, sizeof digest);
    if (sctx == NULL || vctx == NULL || EVP_PKEY_sign_init(sctx) <= 0 || EVP_PKEY_verify_init(vctx) <= 0)
        die("sign/verify init");

    /* Sign: warm up, then as many as fit in the time. */
    for (n = 0, start = now();; n++) {
        siglen = sizeof sig;
        if (EVP_PKEY_sign(sctx, sig, &siglen, digest, size) <= 0)
            die("sign");
        if ((n & 15) == 15 && (el = now() - start) >= seconds)
            break;
    }
    printf("sign %s %.2f\n", name, el / (n + 1) * 1e6);
    for (n = 0, start = now();; n++) {
        if (EVP_PKEY_verify(vctx, sig, siglen, digest, size) != 1)
            die("verify");
        if ((n & 15) == 15 && (el = now() - start) >= seconds)
            break;
    }
    printf("verify %s %.2f\n", name, el / (n + 1) * 1e6);
    fflush(stdout);
    EVP_PKEY_CTX_free(sctx);
    EVP_PKEY_CTX_free(vctx);
    EVP_PKEY_free(key);
}

static void bench_hash(const char *mdname, size_t len)
{
    const EVP_MD *md = EVP_get_digestbyname(mdname);
    unsigned char *buf = calloc(1, len), out[64];
    unsigned int outlen;
    long n;
    double start, el;

    if (md == NULL || buf == NULL)
        die("digest");
    for (n = 0, start = now();; n++) {
        if (EVP_Digest(buf, len, out, &outlen, md, NULL) != 1)
            die("digest");
        if ((el = now() - start) >= seconds)
            break;
    }
    printf("hash %s %zu %.1f\n", mdname, len, (double)len * (n + 1) / el / 1e6);
    fflush(stdout);
    free(buf);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name, *alg, *paramset;
        size_t size;
    } sets[] = {
        {"cryptopro-a", "gost2012_256", "A", 32},
        {"cryptopro-b", "gost2012_256", "B", 32},
        {"cryptopro-c", "gost2012_256", "C", 32},
        {"cryptopro-xcha", "gost2012_256", "XA", 32},
        {"cryptopro-xchb", "gost2012_256", "XB", 32},
        {"tc26-256-a", "gost2012_256", "TCA", 32},
        {"tc26-256-b", "gost2012_256", "TCB", 32},
        {"tc26-256-c", "gost2012_256", "TCC", 32},
        {"tc26-256-d", "gost2012_256", "TCD", 32},
        {"tc26-512-a", "gost2012_512", "A", 64},
        {"tc26-512-b", "gost2012_512", "B", 64},
        {"tc26-512-c", "gost2012_512", "C", 64},
    };
    size_t i;

    if (argc > 1)
        seconds = atof(argv[1]);
    if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1)
        die("loading the configuration");
    for (i = 0; i < sizeof sets / sizeof sets[0]; i++)
        if (wanted(argc, argv, sets[i].name))
            bench_set(sets[i].name, sets[i].alg, sets[i].paramset, sets[i].size);
    if (wanted(argc, argv, "hash")) {
        bench_hash("md_gost12_256", 8192);
        bench_hash("md_gost12_256", 1 << 20);
        bench_hash("md_gost12_512", 8192);
        bench_hash("md_gost12_512", 1 << 20);
    }
    return 0;
}
