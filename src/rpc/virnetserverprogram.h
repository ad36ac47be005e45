/*
 * virnetserverprogram.h: an RPC program: its procedure table and the
 * execution of one call
 *
 * A program is a (number, version) pair with a table of procedures
 * sorted by number.  Executing a call decodes its arguments, runs the
 * procedure and encodes the reply, or an error reply carrying the
 * thread's last error (libvirt's remote_error).
 */
#pragma once

#include <rpc/rpc.h>

#include "internal.h"
#include "virnetmessage.h"
#include "virnetserverclient.h"

/* A procedure: fills @ret from @args; 0, or -1 with an error reported.
 * @opaque is the program's. */
typedef int (*virNetServerProcFunc)(virNetServerClient *client,
                                    const virNetMessageHeader *header,
                                    void *args, void *ret, void *opaque);

typedef struct _virNetServerProc virNetServerProc;
struct _virNetServerProc {
    int proc;
    const char *name;           /* for logs */
    const char *jobName;        /* the dispatcher's name, recorded by the
                                 * domain jobs it takes (as libvirt names
                                 * lock holders, e.g.
                                 * "remoteDispatchDomainMigratePerform3Params") */
    virNetServerProcFunc func;
    xdrproc_t argsFilter;       /* virNetMessageXdrVoid for no arguments */
    size_t argsLen;
    xdrproc_t retFilter;        /* virNetMessageXdrVoid for no result */
    size_t retLen;
    bool highPriority;          /* may run on the priority workers */
    bool readonly;              /* allowed on read-only connections (all
                                 * others are refused: fail-closed) */
    bool beforeOpen;            /* may be called before CONNECT_OPEN */
    bool beforeAuth;            /* may be called before the client
                                 * authenticated (libvirt's procedures
                                 * without needAuth) */
    const char *api;            /* the libvirt API the procedure serves,
                                 * named when it is refused */
};

/* Checks a call before its arguments are decoded (connection state,
 * access); 0, or -1 with an error reported. */
typedef int (*virNetServerProgramCheckFunc)(virNetServerClient *client,
                                            const virNetServerProc *proc,
                                            void *opaque);

typedef struct _virNetServerProgram virNetServerProgram;

/* @procs must stay valid and be sorted by procedure number. */
virNetServerProgram *virNetServerProgramNew(unsigned int program,
                                            unsigned int version,
                                            const virNetServerProc *procs,
                                            size_t nprocs,
                                            virNetServerProgramCheckFunc check,
                                            void *opaque);
void virNetServerProgramFree(virNetServerProgram *prog);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(virNetServerProgram, virNetServerProgramFree);

unsigned int virNetServerProgramGetID(const virNetServerProgram *prog);
unsigned int virNetServerProgramGetVersion(const virNetServerProgram *prog);

/* The procedure numbered @proc, or NULL. */
const virNetServerProc *virNetServerProgramLookup(const virNetServerProgram *prog,
                                                  int proc);

/* True if @procs is strictly increasing by number (unit-tested). */
bool virNetServerProcsSorted(const virNetServerProc *procs, size_t nprocs);

/**
 * virNetServerProgramRun:
 * Executes the call @msg of @client (a worker thread): check, decode
 * the arguments, run the procedure, encode the reply.  Returns the
 * packet to send: the reply, or an error reply; NULL only if not even
 * the error could be encoded.
 */
GBytes *virNetServerProgramRun(virNetServerProgram *prog,
                               virNetServerClient *client,
                               const virNetMessage *msg,
                               const virNetServerProc *proc,
                               size_t maxLength);

/* The error reply to the call @header from the thread's last error. */
GBytes *virNetServerProgramErrorReply(const virNetMessageHeader *header,
                                      size_t maxLength);
