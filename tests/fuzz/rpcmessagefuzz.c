/*
 * rpcmessagefuzz.c: libFuzzer target for the RPC message decoder
 *
 * Feeds arbitrary bytes through what the server does with a packet
 * from a client: length check, header decode, then the XDR decoding of
 * the arguments of whichever remote procedure the header names (and of
 * an error payload), freeing everything again.  See README.md.
 */
#include <stdint.h>
#include <string.h>

#include "virnetmessage.h"
#include "remote_dispatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
rpcFuzzArgs(const virNetMessage *msg)
{
    size_t n;
    const virNetServerProc *procs = remoteDispatchGetProcs(&n);
    size_t i;

    for (i = 0; i < n; i++) {
        g_autofree char *args = NULL;

        if (procs[i].proc != msg->header.proc)
            continue;
        args = g_malloc0(MAX(procs[i].argsLen, 1));
        virNetMessageDecodePayload(msg, procs[i].argsFilter, args);
        xdr_free(procs[i].argsFilter, args);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_autoptr(virNetMessage) msg = NULL;
    g_autoptr(virError) err = NULL;
    size_t len;

    if (size < VIR_NET_MESSAGE_LEN_MAX ||
        virNetMessageDecodeLength((const char *)data,
                                  virNetMessageMaxLength(1024 * 1024), &len) < 0 ||
        len != size)
        return 0;
    msg = virNetMessageNew(g_memdup2(data, size), size);
    if (virNetMessageDecodeHeader(msg) < 0)
        return 0;
    if (msg->header.prog == REMOTE_PROGRAM)
        rpcFuzzArgs(msg);
    err = virNetMessageDecodeError(msg);
    return 0;
}
