/*
 * rpcstoragetest.c: the storage procedures and pool events over the
 * wire, a test server with the real storage driver (in a temporary
 * directory) behind it
 *
 * What the stock client cannot show: it filters events by pool itself,
 * so the server's own filtering, the callback IDs and the messages'
 * layout are checked here with the raw test client.
 */
#include <string.h>
#include <unistd.h>

#include "testutils.h"
#include "rpctestserver.h"
#include "storage_driver.h"
#include "viruuid.h"

/* libvirt's VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE / _INACTIVE / _DIR */
#define LIST_INACTIVE 1
#define LIST_ACTIVE 2
#define LIST_DIR 64

typedef struct {
    char *dir;                    /* everything below is in here */
    storageDriver *storage;
} testStorage;

static testStorage *
testStorageNew(rpcTestServer *ts)
{
    testStorage *t = g_new0(testStorage, 1);
    g_autofree char *config = NULL;
    g_autofree char *autostart = NULL;
    g_autofree char *state = NULL;
    storageDriverConfig cfg = { 0 };

    t->dir = g_dir_make_tmp("rpcstoragetest-XXXXXX", NULL);
    g_assert_nonnull(t->dir);
    config = g_build_filename(t->dir, "config", NULL);
    autostart = g_build_filename(config, "autostart", NULL);
    state = g_build_filename(t->dir, "state", NULL);
    cfg.configDir = config;
    cfg.autostartDir = autostart;
    cfg.stateDir = state;
    t->storage = storageDriverNew(&cfg);
    g_assert_nonnull(t->storage);
    remoteServerSetStorage(ts->srv, t->storage);
    return t;
}

/* Call after the server is stopped. */
static void
testStorageFree(testStorage *t)
{
    const char *argv[] = { "rm", "-rf", t->dir, NULL };

    storageDriverFree(t->storage);
    g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH,
                               NULL, NULL, NULL, NULL, NULL, NULL));
    g_free(t->dir);
    g_free(t);
}

static char *
testPoolXML(testStorage *t, const char *name)
{
    return g_strdup_printf("<pool type='dir'><name>%s</name>"
                           "<target><path>%s/%s</path></target></pool>",
                           name, t->dir, name);
}

static void
testDefine(rpcTestClient *client, const char *xml, remote_nonnull_storage_pool *pool)
{
    remote_storage_pool_define_xml_args args = { (char *)xml, 0 };
    remote_storage_pool_define_xml_ret ret = { { 0 } };

    rpcTestCallOK(client, REMOTE_PROC_STORAGE_POOL_DEFINE_XML,
                  TEST_XDR(remote_storage_pool_define_xml_args), &args,
                  TEST_XDR(remote_storage_pool_define_xml_ret), &ret);
    *pool = ret.pool;
}

/* A procedure whose arguments are the pool (and flags 0, for those
 * that have flags: BUILD, CREATE, REFRESH). */
static void
testPoolAction(rpcTestClient *client, int proc, remote_nonnull_storage_pool *pool)
{
    remote_storage_pool_build_args args = { *pool, 0 };
    bool flags = proc != REMOTE_PROC_STORAGE_POOL_DESTROY &&
                 proc != REMOTE_PROC_STORAGE_POOL_UNDEFINE;

    rpcTestCallOK(client, proc,
                  flags ? TEST_XDR(remote_storage_pool_build_args) :
                          TEST_XDR(remote_storage_pool_destroy_args),
                  &args, TEST_VOID, NULL);
}

static int
testRegister(rpcTestClient *client, int eventID, remote_nonnull_storage_pool *pool)
{
    remote_connect_storage_pool_event_register_any_args args = { eventID, pool };
    remote_connect_storage_pool_event_register_any_ret ret = { 0 };

    rpcTestCallOK(client, REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY,
                  TEST_XDR(remote_connect_storage_pool_event_register_any_args), &args,
                  TEST_XDR(remote_connect_storage_pool_event_register_any_ret), &ret);
    g_assert_cmpint(ret.callbackID, >, 0);
    return ret.callbackID;
}

/* The next event of @client: a lifecycle event @event of pool @name for
 * callback @cb (@event -1: a refresh event). */
static void
testExpectPoolEvent(rpcTestClient *client, int cb, const char *name, int event)
{
    if (event < 0) {
        remote_storage_pool_event_refresh_msg data = { 0 };

        rpcTestExpectEvent(client, REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH,
                           TEST_XDR(remote_storage_pool_event_refresh_msg), &data);
        g_assert_cmpint(data.callbackID, ==, cb);
        g_assert_cmpstr(data.pool.name, ==, name);
        xdr_free(TEST_XDR(remote_storage_pool_event_refresh_msg), (char *)&data);
    } else {
        remote_storage_pool_event_lifecycle_msg data = { 0 };

        rpcTestExpectEvent(client, REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE,
                           TEST_XDR(remote_storage_pool_event_lifecycle_msg), &data);
        g_assert_cmpint(data.callbackID, ==, cb);
        g_assert_cmpstr(data.pool.name, ==, name);
        g_assert_cmpint(data.event, ==, event);
        g_assert_cmpint(data.detail, ==, 0);
        xdr_free(TEST_XDR(remote_storage_pool_event_lifecycle_msg), (char *)&data);
    }
}

/* All clients registered for a pool's events get them, in order; a
 * registration for one pool only that pool's; deregistered ones none. */
static void
testPoolEvents(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    testStorage *t = testStorageNew(ts);
    g_autoptr(rpcTestClient) all = rpcTestOpen(ts->rw, 0);
    g_autoptr(rpcTestClient) one = rpcTestOpen(ts->rw, 0);
    g_autofree char *xml1 = testPoolXML(t, "p1");
    g_autofree char *xml2 = testPoolXML(t, "p2");
    remote_nonnull_storage_pool p1 = { 0 };
    remote_nonnull_storage_pool p2 = { 0 };
    remote_connect_storage_pool_event_deregister_any_args dereg = { 0 };
    remote_connect_storage_pool_event_register_any_args bad = { 2, NULL };
    remote_connect_domain_event_callback_deregister_any_args domDereg = { 0 };
    g_autofree char *notRegistered = NULL;
    g_autofree char *domNotRegistered = NULL;
    int cbAll;
    int cbRefresh;
    int cbOne;

    testDefine(all, xml1, &p1);
    cbAll = testRegister(all, 0, NULL);
    cbRefresh = testRegister(all, 1, NULL);
    cbOne = testRegister(one, 0, &p1);
    g_assert_cmpint(cbAll, !=, cbRefresh);

    testDefine(all, xml2, &p2);
    testExpectPoolEvent(all, cbAll, "p2", 0 /* DEFINED */);
    testPoolAction(all, REMOTE_PROC_STORAGE_POOL_BUILD, &p1);
    testExpectPoolEvent(all, cbAll, "p1", 4 /* CREATED */);
    testExpectPoolEvent(one, cbOne, "p1", 4);
    testPoolAction(all, REMOTE_PROC_STORAGE_POOL_CREATE, &p1);
    testExpectPoolEvent(all, cbAll, "p1", 2 /* STARTED */);
    testExpectPoolEvent(one, cbOne, "p1", 2);
    testPoolAction(all, REMOTE_PROC_STORAGE_POOL_REFRESH, &p1);
    testExpectPoolEvent(all, cbRefresh, "p1", -1);
    rpcTestExpectNoEvent(one);

    dereg.callbackID = cbOne;
    rpcTestCallOK(one, REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY,
                  TEST_XDR(remote_connect_storage_pool_event_deregister_any_args), &dereg,
                  TEST_VOID, NULL);
    notRegistered = g_strdup_printf("storage pool event callback %d not registered", cbOne);
    rpcTestCallError(one, REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY,
                     TEST_XDR(remote_connect_storage_pool_event_deregister_any_args), &dereg,
                     VIR_ERR_RPC, notRegistered);
    rpcTestCallError(one, REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY,
                     TEST_XDR(remote_connect_storage_pool_event_register_any_args), &bad,
                     VIR_ERR_INTERNAL_ERROR,
                     "internal error: unsupported storage pool event ID 2");
    /* the domain event procedures do not remove pool registrations */
    domDereg.callbackID = cbAll;
    domNotRegistered = g_strdup_printf("domain event callback %d not registered", cbAll);
    rpcTestCallError(all, REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY,
                     TEST_XDR(remote_connect_domain_event_callback_deregister_any_args),
                     &domDereg, VIR_ERR_RPC, domNotRegistered);

    testPoolAction(all, REMOTE_PROC_STORAGE_POOL_DESTROY, &p1);
    testExpectPoolEvent(all, cbAll, "p1", 3 /* STOPPED */);
    rpcTestExpectNoEvent(one);
    testPoolAction(all, REMOTE_PROC_STORAGE_POOL_UNDEFINE, &p2);
    testExpectPoolEvent(all, cbAll, "p2", 1 /* UNDEFINED */);

    xdr_free(TEST_XDR(remote_nonnull_storage_pool), (char *)&p1);
    xdr_free(TEST_XDR(remote_nonnull_storage_pool), (char *)&p2);
    g_clear_pointer(&all, rpcTestClientFree);
    g_clear_pointer(&one, rpcTestClientFree);
    g_clear_pointer(&ts, rpcTestServerStop);
    testStorageFree(t);
}

static unsigned int
testListAll(rpcTestClient *client, unsigned int flags)
{
    remote_connect_list_all_storage_pools_args args = { 1, flags };
    remote_connect_list_all_storage_pools_ret ret = { { 0 } };
    unsigned int n;

    rpcTestCallOK(client, REMOTE_PROC_CONNECT_LIST_ALL_STORAGE_POOLS,
                  TEST_XDR(remote_connect_list_all_storage_pools_args), &args,
                  TEST_XDR(remote_connect_list_all_storage_pools_ret), &ret);
    g_assert_cmpuint(ret.pools.pools_len, ==, ret.ret);
    n = ret.ret;
    xdr_free(TEST_XDR(remote_connect_list_all_storage_pools_ret), (char *)&ret);
    return n;
}

static char *
testPoolXMLDesc(rpcTestClient *client, remote_nonnull_storage_pool *pool,
                unsigned int flags)
{
    remote_storage_pool_get_xml_desc_args args = { *pool, flags };
    remote_storage_pool_get_xml_desc_ret ret = { 0 };

    rpcTestCallOK(client, REMOTE_PROC_STORAGE_POOL_GET_XML_DESC,
                  TEST_XDR(remote_storage_pool_get_xml_desc_args), &args,
                  TEST_XDR(remote_storage_pool_get_xml_desc_ret), &ret);
    return ret.xml;
}

/* CREATE_XML of defined, inactive @pool (same name and UUID, another
 * directory): it runs with the new definition, the persistent one is
 * the inactive XML and comes back when the pool stops. */
static void
testCreateOverDefined(rpcTestClient *client, testStorage *t,
                      remote_nonnull_storage_pool *pool)
{
    char uuid[VIR_UUID_STRING_BUFLEN];
    g_autofree char *xml = g_strdup_printf(
        "<pool type='dir'><name>p1</name><uuid>%s</uuid>"
        "<target><path>%s/other</path></target></pool>",
        virUUIDFormat((const unsigned char *)pool->uuid, uuid), t->dir);
    g_autofree char *other = g_strdup_printf("<path>%s/other</path>", t->dir);
    g_autofree char *orig = g_strdup_printf("<path>%s/p1</path>", t->dir);
    remote_storage_pool_create_xml_args args = { xml, 1 /* WITH_BUILD */ };
    remote_storage_pool_create_xml_ret ret = { { 0 } };
    g_autofree char *live = NULL;
    g_autofree char *inactive = NULL;
    g_autofree char *after = NULL;

    rpcTestCallOK(client, REMOTE_PROC_STORAGE_POOL_CREATE_XML,
                  TEST_XDR(remote_storage_pool_create_xml_args), &args,
                  TEST_XDR(remote_storage_pool_create_xml_ret), &ret);
    g_assert_cmpstr(ret.pool.name, ==, "p1");
    live = testPoolXMLDesc(client, pool, 0);
    inactive = testPoolXMLDesc(client, pool, 1 /* INACTIVE */);
    g_assert_nonnull(strstr(live, other));
    g_assert_nonnull(strstr(inactive, orig));
    testPoolAction(client, REMOTE_PROC_STORAGE_POOL_DESTROY, pool);
    after = testPoolXMLDesc(client, pool, 0);
    g_assert_nonnull(strstr(after, orig));
    xdr_free(TEST_XDR(remote_storage_pool_create_xml_ret), (char *)&ret);
}

/* The list filters, libvirt's errors of a pool's state, the read-only
 * refusals. */
static void
testPoolCalls(void)
{
    g_autoptr(rpcTestServer) ts = rpcTestServerStartDefault();
    testStorage *t = testStorageNew(ts);
    g_autoptr(rpcTestClient) client = rpcTestOpen(ts->rw, 0);
    g_autoptr(rpcTestClient) ro = rpcTestOpen(ts->ro, TEST_CONNECT_RO);
    g_autofree char *xml = testPoolXML(t, "p1");
    remote_nonnull_storage_pool p1 = { 0 };
    remote_storage_pool_get_info_args info = { { 0 } };
    remote_storage_pool_get_info_ret state = { 0 };
    remote_storage_pool_define_xml_args def = { xml, 0 };
    remote_storage_pool_undefine_args undef = { { 0 } };
    g_autofree char *noDir = g_strdup_printf(
        "cannot open directory '%s/p1': No such file or directory", t->dir);
    g_autofree char *gone = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];

    testDefine(client, xml, &p1);
    g_assert_cmpuint(testListAll(client, 0), ==, 1);
    g_assert_cmpuint(testListAll(client, LIST_ACTIVE), ==, 0);
    g_assert_cmpuint(testListAll(client, LIST_INACTIVE | LIST_DIR), ==, 1);
    g_assert_cmpuint(testListAll(client, 1 << 7 /* FS */), ==, 0);
    rpcTestCallError(client, REMOTE_PROC_STORAGE_POOL_CREATE,
                     TEST_XDR(remote_storage_pool_build_args),
                     &(remote_storage_pool_build_args){ p1, 0 }, VIR_ERR_SYSTEM_ERROR,
                     noDir);
    testPoolAction(client, REMOTE_PROC_STORAGE_POOL_BUILD, &p1);
    testPoolAction(client, REMOTE_PROC_STORAGE_POOL_CREATE, &p1);
    g_assert_cmpuint(testListAll(client, LIST_ACTIVE), ==, 1);
    info.pool = p1;
    rpcTestCallOK(client, REMOTE_PROC_STORAGE_POOL_GET_INFO,
                  TEST_XDR(remote_storage_pool_get_info_args), &info,
                  TEST_XDR(remote_storage_pool_get_info_ret), &state);
    g_assert_cmpint(state.state, ==, 2 /* RUNNING */);
    g_assert_cmpuint(state.capacity, >, 0);
    undef.pool = p1;
    rpcTestCallError(client, REMOTE_PROC_STORAGE_POOL_UNDEFINE,
                     TEST_XDR(remote_storage_pool_undefine_args), &undef,
                     VIR_ERR_OPERATION_INVALID,
                     "Requested operation is not valid: storage pool 'p1' is still active");
    rpcTestCallError(ro, REMOTE_PROC_STORAGE_POOL_DEFINE_XML,
                     TEST_XDR(remote_storage_pool_define_xml_args), &def,
                     VIR_ERR_OPERATION_DENIED,
                     "operation forbidden: read only access prevents virStoragePoolDefineXML");
    rpcTestCallOK(ro, REMOTE_PROC_STORAGE_POOL_GET_INFO,
                  TEST_XDR(remote_storage_pool_get_info_args), &info,
                  TEST_XDR(remote_storage_pool_get_info_ret), &state);
    testPoolAction(client, REMOTE_PROC_STORAGE_POOL_DESTROY, &p1);
    testCreateOverDefined(client, t, &p1);
    testPoolAction(client, REMOTE_PROC_STORAGE_POOL_UNDEFINE, &p1);
    gone = g_strdup_printf("Storage pool not found: no storage pool with matching uuid '%s' (p1)",
                           virUUIDFormat((const unsigned char *)p1.uuid, uuid));
    rpcTestCallError(client, REMOTE_PROC_STORAGE_POOL_GET_INFO,
                     TEST_XDR(remote_storage_pool_get_info_args), &info,
                     VIR_ERR_NO_STORAGE_POOL, gone);

    xdr_free(TEST_XDR(remote_nonnull_storage_pool), (char *)&p1);
    g_clear_pointer(&client, rpcTestClientFree);
    g_clear_pointer(&ro, rpcTestClientFree);
    g_clear_pointer(&ts, rpcTestServerStop);
    testStorageFree(t);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rpc/storage/pool-events", testPoolEvents);
    g_test_add_func("/rpc/storage/pool-calls", testPoolCalls);
    return g_test_run();
}
