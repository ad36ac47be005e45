/*
 * virnettlscontext.c: TLS (gnutls) for the RPC transport
 */
#include <errno.h>
#include <string.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "virnettlscontext.h"
#include "virerror.h"
#include "virfile.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.nettlscontext");

#define VIR_NET_TLS_DEFAULT_PRIORITY "NORMAL"

struct _virNetTLSContext {
    gatomicrefcount refs;
    bool isServer;
    bool verifyPeer;
    GStrv allowedDNs;           /* NULL: any */
    gnutls_certificate_credentials_t cred;
    gnutls_priority_t priority;
};

struct _virNetTLSSession {
    virNetTLSContext *ctx;
    gnutls_session_t session;
    char *hostname;             /* client: the server we expect */
    char *peerDN;
    bool handshakeDone;
};

/* ---- certificates ------------------------------------------------------ */

/* Imports the first certificate of the PEM file @path. */
static gnutls_x509_crt_t
virNetTLSLoadCert(const char *path, const char *what)
{
    gnutls_datum_t data = { NULL, 0 };
    gnutls_x509_crt_t cert = NULL;
    int rc;

    if ((rc = gnutls_load_file(path, &data)) < 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       _("Cannot read %1$s '%2$s': %3$s"),
                       what, path, gnutls_strerror(rc));
        return NULL;
    }
    if ((rc = gnutls_x509_crt_init(&cert)) < 0 ||
        (rc = gnutls_x509_crt_import(cert, &data, GNUTLS_X509_FMT_PEM)) < 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       _("Unable to import %1$s '%2$s': %3$s"),
                       what, path, gnutls_strerror(rc));
        if (cert)
            gnutls_x509_crt_deinit(cert);
        cert = NULL;
    }
    gnutls_free(data.data);
    return cert;
}

/* A certificate in force now (@what names it in the error). */
static int
virNetTLSCheckTimes(gnutls_x509_crt_t cert, const char *what)
{
    time_t now = time(NULL);

    if (gnutls_x509_crt_get_expiration_time(cert) < now) {
        virReportError(VIR_ERR_SYSTEM_ERROR, _("The %1$s has expired"), what);
        return -1;
    }
    if (gnutls_x509_crt_get_activation_time(cert) > now) {
        virReportError(VIR_ERR_SYSTEM_ERROR, _("The %1$s is not yet active"),
                       what);
        return -1;
    }
    return 0;
}

/* An end-entity certificate (not a CA) whose key purpose, if it has
 * any, allows the TLS role: web server for a server, client else. */
static int
virNetTLSCheckPurpose(gnutls_x509_crt_t cert, bool server, const char *what)
{
    const char *want = server ? GNUTLS_KP_TLS_WWW_SERVER : GNUTLS_KP_TLS_WWW_CLIENT;
    unsigned int critical;
    unsigned int i;

    if (gnutls_x509_crt_get_basic_constraints(cert, &critical, NULL, NULL) > 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       _("The %1$s is a CA certificate, not one of a %2$s"),
                       what, server ? _("server") : _("client"));
        return -1;
    }
    for (i = 0;; i++) {
        char oid[256];
        size_t size = sizeof(oid);
        int rc = gnutls_x509_crt_get_key_purpose_oid(cert, i, oid, &size, &critical);

        if (rc == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
            break;
        if (rc < 0) {
            virReportError(VIR_ERR_SYSTEM_ERROR,
                           _("Unable to read the key purpose of the %1$s: %2$s"),
                           what, gnutls_strerror(rc));
            return -1;
        }
        if (g_str_equal(oid, want))
            return 0;
    }
    /* no key purpose at all: any use */
    if (i == 0)
        return 0;
    virReportError(VIR_ERR_SYSTEM_ERROR,
                   _("The %1$s is not allowed for a TLS %2$s (key purpose)"),
                   what, server ? _("server") : _("client"));
    return -1;
}

/* The DN in libvirt's form; NULL (reported) on failure. */
static char *
virNetTLSCertDN(gnutls_x509_crt_t cert)
{
    size_t size = 0;
    g_autofree char *dn = NULL;
    int rc = gnutls_x509_crt_get_dn(cert, NULL, &size);

    if (rc != GNUTLS_E_SHORT_MEMORY_BUFFER) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       _("Unable to read the certificate's DN: %1$s"),
                       gnutls_strerror(rc));
        return NULL;
    }
    dn = g_malloc0(size + 1);
    if ((rc = gnutls_x509_crt_get_dn(cert, dn, &size)) < 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       _("Unable to read the certificate's DN: %1$s"),
                       gnutls_strerror(rc));
        return NULL;
    }
    return g_steal_pointer(&dn);
}

/* Our own certificate: in force, signed by the CA, fit for the role.
 * A misconfigured host fails at start-up rather than at every client. */
static int
virNetTLSContextSanityCheck(const virNetTLSConfig *cfg, bool server)
{
    gnutls_x509_crt_t ca = NULL;
    gnutls_x509_crt_t cert = NULL;
    unsigned int status = 0;
    int ret = -1;
    int rc;

    if (!(ca = virNetTLSLoadCert(cfg->caFile, _("CA certificate"))) ||
        !(cert = virNetTLSLoadCert(cfg->certFile, _("certificate"))))
        goto cleanup;
    if (virNetTLSCheckTimes(ca, _("CA certificate")) < 0 ||
        virNetTLSCheckTimes(cert, _("certificate")) < 0 ||
        virNetTLSCheckPurpose(cert, server, _("certificate")) < 0)
        goto cleanup;
    if ((rc = gnutls_x509_crt_list_verify(&cert, 1, &ca, 1, NULL, 0, 0,
                                          &status)) < 0 || status != 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       _("The certificate '%1$s' is not signed by the CA '%2$s'"),
                       cfg->certFile, cfg->caFile);
        goto cleanup;
    }
    ret = 0;
 cleanup:
    if (ca)
        gnutls_x509_crt_deinit(ca);
    if (cert)
        gnutls_x509_crt_deinit(cert);
    return ret;
}

/* ---- contexts ---------------------------------------------------------- */

static int
virNetTLSContextLoad(virNetTLSContext *ctx, const virNetTLSConfig *cfg)
{
    const char *prio = cfg->priority ? cfg->priority : VIR_NET_TLS_DEFAULT_PRIORITY;
    const char *errpos = NULL;
    int rc;

    if ((rc = gnutls_certificate_allocate_credentials(&ctx->cred)) < 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       _("Unable to allocate x509 credentials: %1$s"),
                       gnutls_strerror(rc));
        return -1;
    }
    if ((rc = gnutls_certificate_set_x509_trust_file(ctx->cred, cfg->caFile,
                                                     GNUTLS_X509_FMT_PEM)) < 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       _("Unable to set x509 CA certificate: %1$s: %2$s"),
                       cfg->caFile, gnutls_strerror(rc));
        return -1;
    }
    if (cfg->crlFile && virFileExists(cfg->crlFile) &&
        (rc = gnutls_certificate_set_x509_crl_file(ctx->cred, cfg->crlFile,
                                                   GNUTLS_X509_FMT_PEM)) < 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       _("Unable to set x509 certificate revocation list: %1$s: %2$s"),
                       cfg->crlFile, gnutls_strerror(rc));
        return -1;
    }
    if ((rc = gnutls_certificate_set_x509_key_file(ctx->cred, cfg->certFile,
                                                   cfg->keyFile,
                                                   GNUTLS_X509_FMT_PEM)) < 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       _("Unable to set x509 key and certificate: %1$s, %2$s: %3$s"),
                       cfg->keyFile, cfg->certFile, gnutls_strerror(rc));
        return -1;
    }
    if ((rc = gnutls_priority_init(&ctx->priority, prio, &errpos)) < 0) {
        virReportError(VIR_ERR_CONFIG_UNSUPPORTED,
                       _("Invalid TLS priority string '%1$s' at '%2$s': %3$s"),
                       prio, errpos ? errpos : "", gnutls_strerror(rc));
        return -1;
    }
    return 0;
}

static virNetTLSContext *
virNetTLSContextNew(const virNetTLSConfig *cfg, bool server)
{
    g_autoptr(virNetTLSContext) ctx = g_new0(virNetTLSContext, 1);
    const char *files[] = { cfg->caFile, cfg->certFile, cfg->keyFile };
    size_t i;

    g_atomic_ref_count_init(&ctx->refs);
    ctx->isServer = server;
    ctx->verifyPeer = cfg->verifyPeer;
    if (cfg->allowedDNs)
        ctx->allowedDNs = g_strdupv((char **)cfg->allowedDNs);
    for (i = 0; i < G_N_ELEMENTS(files); i++) {
        if (!files[i] || access(files[i], R_OK) < 0) {
            virReportSystemError(files[i] ? errno : ENOENT,
                                 _("Cannot access TLS file '%1$s'"),
                                 NULLSTR(files[i]));
            return NULL;
        }
    }
    if (virNetTLSContextSanityCheck(cfg, server) < 0 ||
        virNetTLSContextLoad(ctx, cfg) < 0)
        return NULL;
    VIR_DEBUG("%s TLS context: CA %s, certificate %s%s",
              server ? "server" : "client", cfg->caFile, cfg->certFile,
              cfg->verifyPeer ? "" : ", peer not verified");
    return g_steal_pointer(&ctx);
}

virNetTLSContext *
virNetTLSContextNewServer(const virNetTLSConfig *cfg)
{
    return virNetTLSContextNew(cfg, true);
}

virNetTLSContext *
virNetTLSContextNewClient(const virNetTLSConfig *cfg)
{
    return virNetTLSContextNew(cfg, false);
}

virNetTLSContext *
virNetTLSContextRef(virNetTLSContext *ctx)
{
    g_atomic_ref_count_inc(&ctx->refs);
    return ctx;
}

void
virNetTLSContextUnref(virNetTLSContext *ctx)
{
    if (!ctx || !g_atomic_ref_count_dec(&ctx->refs))
        return;
    if (ctx->priority)
        gnutls_priority_deinit(ctx->priority);
    if (ctx->cred)
        gnutls_certificate_free_credentials(ctx->cred);
    g_strfreev(ctx->allowedDNs);
    g_free(ctx);
}

/* ---- sessions ---------------------------------------------------------- */

virNetTLSSession *
virNetTLSSessionNew(virNetTLSContext *ctx, int fd, const char *hostname)
{
    g_autoptr(virNetTLSSession) sess = g_new0(virNetTLSSession, 1);
    unsigned int flags = (ctx->isServer ? GNUTLS_SERVER : GNUTLS_CLIENT) |
                         GNUTLS_NONBLOCK;
    int rc;

    sess->ctx = virNetTLSContextRef(ctx);
    sess->hostname = g_strdup(hostname);
    if ((rc = gnutls_init(&sess->session, flags)) < 0) {
        sess->session = NULL;
        goto error;
    }
    if ((rc = gnutls_priority_set(sess->session, ctx->priority)) < 0 ||
        (rc = gnutls_credentials_set(sess->session, GNUTLS_CRD_CERTIFICATE,
                                     ctx->cred)) < 0)
        goto error;
    if (ctx->isServer)
        gnutls_certificate_server_set_request(sess->session, GNUTLS_CERT_REQUEST);
    else if (hostname && !g_hostname_is_ip_address(hostname))
        gnutls_server_name_set(sess->session, GNUTLS_NAME_DNS, hostname,
                               strlen(hostname));
    gnutls_transport_set_int(sess->session, fd);
    return g_steal_pointer(&sess);

 error:
    virReportError(VIR_ERR_SYSTEM_ERROR,
                   _("Failed to initialize TLS session: %1$s"),
                   gnutls_strerror(rc));
    return NULL;
}

void
virNetTLSSessionFree(virNetTLSSession *sess)
{
    if (!sess)
        return;
    if (sess->session)
        gnutls_deinit(sess->session);
    virNetTLSContextUnref(sess->ctx);
    g_free(sess->hostname);
    g_free(sess->peerDN);
    g_free(sess);
}

/* The client's DN against tls_allowed_dn_list. */
static int
virNetTLSSessionCheckDN(virNetTLSSession *sess)
{
    char **pat;

    if (!sess->ctx->allowedDNs)
        return 0;
    for (pat = sess->ctx->allowedDNs; *pat; pat++) {
        if (g_pattern_match_simple(*pat, sess->peerDN))
            return 0;
    }
    virReportError(VIR_ERR_SYSTEM_ERROR,
                   _("Client's Distinguished Name '%1$s' is not on the list of allowed clients (tls_allowed_dn_list)"),
                   sess->peerDN);
    return -1;
}

/* The peer's certificate chain, times, role and name (libvirt's
 * virNetTLSContextValidCertificate); errors say why. */
static int
virNetTLSSessionValidatePeer(virNetTLSSession *sess)
{
    const gnutls_datum_t *certs;
    unsigned int ncerts = 0;
    unsigned int status = 0;
    gnutls_x509_crt_t cert = NULL;
    const char *what = sess->ctx->isServer ? _("client certificate")
                                           : _("server certificate");
    int ret = -1;
    int rc;

    if (!(certs = gnutls_certificate_get_peers(sess->session, &ncerts)) ||
        ncerts == 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR, _("The peer sent no %1$s"), what);
        return -1;
    }
    if ((rc = gnutls_certificate_verify_peers2(sess->session, &status)) < 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR, _("Unable to verify TLS peer: %1$s"),
                       gnutls_strerror(rc));
        return -1;
    }
    if (status != 0) {
        const char *reason = _("Invalid certificate");

        if (status & GNUTLS_CERT_INVALID)
            reason = _("The certificate is not trusted");
        if (status & GNUTLS_CERT_SIGNER_NOT_FOUND)
            reason = _("The certificate hasn't got a known issuer");
        if (status & GNUTLS_CERT_REVOKED)
            reason = _("The certificate has been revoked");
        if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
            reason = _("The certificate uses an insecure algorithm");
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       _("Certificate failed validation: %1$s"), reason);
        return -1;
    }
    if ((rc = gnutls_x509_crt_init(&cert)) < 0 ||
        (rc = gnutls_x509_crt_import(cert, &certs[0], GNUTLS_X509_FMT_DER)) < 0) {
        virReportError(VIR_ERR_SYSTEM_ERROR, _("Unable to load the %1$s: %2$s"),
                       what, gnutls_strerror(rc));
        goto cleanup;
    }
    if (virNetTLSCheckTimes(cert, what) < 0 ||
        virNetTLSCheckPurpose(cert, !sess->ctx->isServer, what) < 0)
        goto cleanup;
    if (sess->ctx->isServer && virNetTLSSessionCheckDN(sess) < 0)
        goto cleanup;
    if (!sess->ctx->isServer && sess->hostname &&
        !gnutls_x509_crt_check_hostname(cert, sess->hostname)) {
        virReportError(VIR_ERR_SYSTEM_ERROR,
                       _("Certificate's owner does not match the hostname %1$s"),
                       sess->hostname);
        goto cleanup;
    }
    ret = 0;
 cleanup:
    if (cert)
        gnutls_x509_crt_deinit(cert);
    return ret;
}

/* Records the peer's DN (for the DN list and the logs). */
static void
virNetTLSSessionReadPeerDN(virNetTLSSession *sess)
{
    const gnutls_datum_t *certs;
    unsigned int ncerts = 0;
    gnutls_x509_crt_t cert = NULL;

    if (!(certs = gnutls_certificate_get_peers(sess->session, &ncerts)) ||
        ncerts == 0)
        return;
    if (gnutls_x509_crt_init(&cert) == 0 &&
        gnutls_x509_crt_import(cert, &certs[0], GNUTLS_X509_FMT_DER) == 0)
        sess->peerDN = virNetTLSCertDN(cert);
    if (cert)
        gnutls_x509_crt_deinit(cert);
    virResetLastError();
}

/* libvirt's virNetTLSContextCheckCertificate: a bad certificate is
 * fatal only when the policy says so. */
static int
virNetTLSSessionCheckPeer(virNetTLSSession *sess)
{
    if (virNetTLSSessionValidatePeer(sess) == 0)
        return 0;
    VIR_WARN("TLS peer certificate check failed: %s", virGetLastErrorMessage());
    if (sess->ctx->verifyPeer) {
        virReportError(VIR_ERR_AUTH_FAILED, "%s",
                       _("Failed to verify peer's certificate"));
        return -1;
    }
    virResetLastError();
    VIR_INFO("ignoring the bad certificate (tls_no_verify_certificate)");
    return 0;
}

int
virNetTLSSessionHandshake(virNetTLSSession *sess, GIOCondition *want)
{
    int rc;

    if (sess->handshakeDone)
        return 1;
    rc = gnutls_handshake(sess->session);
    if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED ||
        (rc < 0 && !gnutls_error_is_fatal(rc))) {
        *want = virNetTLSSessionWants(sess);
        return 0;
    }
    if (rc < 0) {
        virReportError(VIR_ERR_AUTH_FAILED, _("TLS handshake failed %1$s"),
                       gnutls_strerror(rc));
        return -1;
    }
    virNetTLSSessionReadPeerDN(sess);
    VIR_DEBUG("TLS handshake done, peer %s", NULLSTR(sess->peerDN));
    if (virNetTLSSessionCheckPeer(sess) < 0)
        return -1;
    sess->handshakeDone = true;
    return 1;
}

/* Maps a gnutls record error to errno; reports the fatal ones. */
static ssize_t
virNetTLSSessionIOError(ssize_t rc, const char *op)
{
    if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED) {
        errno = EAGAIN;
        return -1;
    }
    virReportError(VIR_ERR_RPC, _("TLS %1$s failed: %2$s"), op,
                   gnutls_strerror(rc));
    errno = EIO;
    return -1;
}

ssize_t
virNetTLSSessionRead(virNetTLSSession *sess, char *buf, size_t len)
{
    ssize_t rc = gnutls_record_recv(sess->session, buf, len);

    if (rc >= 0)
        return rc;
    /* a peer that closes without a TLS close notify: an EOF all the same */
    if (rc == GNUTLS_E_PREMATURE_TERMINATION)
        return 0;
    return virNetTLSSessionIOError(rc, "read");
}

ssize_t
virNetTLSSessionWrite(virNetTLSSession *sess, const char *buf, size_t len)
{
    ssize_t rc = gnutls_record_send(sess->session, buf, len);

    return rc >= 0 ? rc : virNetTLSSessionIOError(rc, "write");
}

GIOCondition
virNetTLSSessionWants(virNetTLSSession *sess)
{
    return gnutls_record_get_direction(sess->session) ? G_IO_OUT : G_IO_IN;
}

size_t
virNetTLSSessionPending(virNetTLSSession *sess)
{
    return gnutls_record_check_pending(sess->session);
}

const char *
virNetTLSSessionGetPeerDN(virNetTLSSession *sess)
{
    return sess->peerDN;
}
