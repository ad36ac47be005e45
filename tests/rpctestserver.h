/*
 * rpctestserver.h: a remote server over the fake driver, run in a
 * thread, and call helpers for the RPC server tests
 *
 * Helpers assert (g_assert / g_error) instead of returning errors.
 */
#pragma once

#include "internal.h"
#include "virerror.h"
#include "remote_server.h"
#include "remote_dispatch.h"
#include "rpcfakedriver.h"
#include "rpctestclient.h"

#define TEST_MAX_MESSAGE (1024 * 1024)
#define TEST_CAPABILITIES "<capabilities>\n  <host/>\n</capabilities>\n"

/* VIR_CONNECT_RO, VIR_DOMAIN_XML_SECURE, VIR_CONNECT_LIST_DOMAINS_* */
#define TEST_CONNECT_RO 1
#define TEST_XML_SECURE 1
#define TEST_LIST_ALL 3
#define TEST_LIST_ACTIVE 1

#define TEST_VOID (xdrproc_t)virNetMessageXdrVoid
#define TEST_XDR(type) (xdrproc_t)xdr_ ## type

/* A server listening on DIR/sock and DIR/sock-ro, its loop in a thread. */
typedef struct {
    GMainContext *ctx;
    GMainLoop *loop;
    GThread *thread;
    qemuDriver *driver;
    remoteServer *srv;
    char *dir;
    char *rw;
    char *ro;
} rpcTestServer;

/* 300 clients (20 anonymous, for 30 s), 20 + 5 workers, 1 MiB
 * messages, keepalive 5 s x 5. */
remoteServerConfig rpcTestServerConfig(void);
rpcTestServer *rpcTestServerStart(const remoteServerConfig *cfg);
/* The same with rpcTestServerConfig(). */
rpcTestServer *rpcTestServerStartDefault(void);
/* Stops the loop, frees the server (checking it cleaned up) and the driver. */
void rpcTestServerStop(rpcTestServer *ts);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(rpcTestServer, rpcTestServerStop);
/* Waits until the server has @n clients. */
void rpcTestServerWaitClients(rpcTestServer *ts, size_t n);

rpcTestClient *rpcTestConnect(const char *path);
/* Connected and opened (qemu:///system) like the stock client. */
rpcTestClient *rpcTestOpen(const char *path, unsigned int flags);

void rpcTestCallOK(rpcTestClient *client, int proc, xdrproc_t argsFilter,
                   void *args, xdrproc_t retFilter, void *ret);
/* The call must fail with @code and exactly @message. */
void rpcTestCallError(rpcTestClient *client, int proc, xdrproc_t argsFilter,
                      void *args, int code, const char *message);
void rpcTestAuthList(rpcTestClient *client);
int rpcTestFeature(rpcTestClient *client, int feature);

/* rpcdata/domain-template.xml with @name. */
char *rpcTestDomainXML(const char *name);
/* The UUID of rpcdata/domain-demo.xml. */
void rpcTestDemoUUID(unsigned char *uuid);
void rpcTestDefine(rpcTestClient *client, const char *xml, remote_nonnull_domain *dom);
void rpcTestLookup(rpcTestClient *client, const char *name, remote_nonnull_domain *dom);
void rpcTestState(rpcTestClient *client, remote_nonnull_domain *dom, int state,
                  int reason);
/* A procedure whose only argument is the domain and returns nothing. */
void rpcTestDomainAction(rpcTestClient *client, int proc, remote_nonnull_domain *dom);
unsigned int rpcTestCountDomains(rpcTestClient *client, unsigned int flags);

/* The next event of @client must be @proc; decodes it into @data. */
void rpcTestExpectEvent(rpcTestClient *client, int proc, xdrproc_t filter,
                        void *data);
/* No event comes to @client within 300 ms. */
void rpcTestExpectNoEvent(rpcTestClient *client);
