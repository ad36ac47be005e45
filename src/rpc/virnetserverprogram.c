/*
 * virnetserverprogram.c: an RPC program: procedure table and call execution
 */
#include <stdlib.h>

#include "virnetserverprogram.h"
#include "virthreadjob.h"
#include "virlog.h"

#define VIR_FROM_THIS VIR_FROM_RPC

VIR_LOG_INIT("rpc.netserverprogram");

struct _virNetServerProgram {
    unsigned int program;
    unsigned int version;
    const virNetServerProc *procs;
    size_t nprocs;
    virNetServerProgramCheckFunc check;
    void *opaque;
};

virNetServerProgram *
virNetServerProgramNew(unsigned int program, unsigned int version,
                       const virNetServerProc *procs, size_t nprocs,
                       virNetServerProgramCheckFunc check, void *opaque)
{
    virNetServerProgram *prog = g_new0(virNetServerProgram, 1);

    prog->program = program;
    prog->version = version;
    prog->procs = procs;
    prog->nprocs = nprocs;
    prog->check = check;
    prog->opaque = opaque;
    return prog;
}

void
virNetServerProgramFree(virNetServerProgram *prog)
{
    g_free(prog);
}

unsigned int
virNetServerProgramGetID(const virNetServerProgram *prog)
{
    return prog->program;
}

unsigned int
virNetServerProgramGetVersion(const virNetServerProgram *prog)
{
    return prog->version;
}

static int
virNetServerProcCompare(const void *key, const void *elem)
{
    int proc = *(const int *)key;
    const virNetServerProc *entry = elem;

    if (proc < entry->proc)
        return -1;
    return proc > entry->proc;
}

const virNetServerProc *
virNetServerProgramLookup(const virNetServerProgram *prog, int proc)
{
    return bsearch(&proc, prog->procs, prog->nprocs, sizeof(*prog->procs),
                   virNetServerProcCompare);
}

bool
virNetServerProcsSorted(const virNetServerProc *procs, size_t nprocs)
{
    size_t i;

    for (i = 1; i < nprocs; i++) {
        if (procs[i - 1].proc >= procs[i].proc)
            return false;
    }
    return true;
}

GBytes *
virNetServerProgramErrorReply(const virNetMessageHeader *header,
                              size_t maxLength)
{
    g_autoptr(virError) err = virSaveLastError();

    return virNetMessageEncodeError(header, err, maxLength);
}

/* Encodes the successful reply to @header with @ret. */
static GBytes *
virNetServerProgramReply(const virNetMessageHeader *call,
                         const virNetServerProc *proc, void *ret,
                         size_t maxLength)
{
    virNetMessageHeader header = *call;

    header.type = VIR_NET_REPLY;
    header.status = VIR_NET_OK;
    return virNetMessageEncode(&header, proc->retFilter, ret, maxLength);
}

GBytes *
virNetServerProgramRun(virNetServerProgram *prog, virNetServerClient *client,
                       const virNetMessage *msg, const virNetServerProc *proc,
                       size_t maxLength)
{
    g_autofree char *args = g_malloc0(MAX(proc->argsLen, 1));
    g_autofree char *ret = g_malloc0(MAX(proc->retLen, 1));
    GBytes *packet = NULL;
    int rv = -1;

    virResetLastError();
    VIR_DEBUG("client %" G_GUINT64_FORMAT ": call %s serial %u",
              virNetServerClientGetID(client), proc->name, msg->header.serial);

    virThreadJobSet(proc->jobName);
    if ((!prog->check || prog->check(client, proc, prog->opaque) == 0) &&
        virNetMessageDecodePayload(msg, proc->argsFilter, args) == 0)
        rv = proc->func(client, &msg->header, args, ret, prog->opaque);
    virThreadJobSet(NULL);

    if (rv == 0)
        packet = virNetServerProgramReply(&msg->header, proc, ret, maxLength);
    if (!packet) {
        VIR_DEBUG("client %" G_GUINT64_FORMAT ": %s failed: %s",
                  virNetServerClientGetID(client), proc->name,
                  virGetLastErrorMessage());
        packet = virNetServerProgramErrorReply(&msg->header, maxLength);
    }
    /* @ret owns whatever a procedure stored in it, even on failure */
    xdr_free(proc->argsFilter, args);
    xdr_free(proc->retFilter, ret);
    return packet;
}
