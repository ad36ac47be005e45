/*
 * rpcfakedriverpriv.h: the fake driver's state, shared by its parts
 * (rpcfakedriver.c: domains and events; rpcfakemigration.c: migration)
 */
#pragma once

#include "rpcfakedriver.h"

typedef struct {
    char *name;
    unsigned char uuid[VIR_UUID_BUFLEN];
    int id;
    int state;
    int reason;
    bool persistent;
    char *xml;
    unsigned long long memKiB;
    unsigned int vcpus;
    bool tainted;                 /* a monitor command was passed through */
    /* migration */
    bool migratingOut;            /* between Begin and Confirm */
    bool migratingIn;             /* between Prepare and Finish */
    bool abortRequested;          /* AbortJob during a slow Perform */
    bool postcopyRequested;       /* StartPostCopy during a slow Perform */
    unsigned long long downtimeMs;
    unsigned long bandwidthMiBs;
    unsigned long bandwidthPostcopyMiBs;
    unsigned long long cacheSize;
} fakeDomain;

typedef struct {
    int id;
    qemuDomainEventCallback cb;
    void *opaque;
} fakeListener;

struct _qemuDriver {
    GMutex lock;
    GCond cond;                   /* migration: aborts, closed clients */
    GPtrArray *domains;           /* fakeDomain */
    GArray *listeners;            /* fakeListener */
    int lastListenerID;
    int lastDomainID;
    char *capabilities;
    rpcFakeMigrationCall last;    /* the last migration protocol call */
    GArray *closedClients;        /* guint64, qemuDriverClientClosed */
    unsigned int slowPerforms;    /* Performs blocked right now */
};

void fakeDomainFree(fakeDomain *dom);

/* With the driver lock held: */
fakeDomain *fakeFindByUUID(qemuDriver *driver, const unsigned char *uuid);
fakeDomain *fakeFindByName(qemuDriver *driver, const char *name);
void fakeRef(const fakeDomain *dom, qemuDomainRef *ref);
bool fakeActive(const fakeDomain *dom);

/* The domain of @uuid, locked driver, or NULL (unlocked) with the real
 * driver's VIR_ERR_NO_DOMAIN. */
fakeDomain *fakeGet(qemuDriver *driver, const unsigned char *uuid);

/* Parses the few fields the fake needs from a domain XML. */
fakeDomain *fakeParseXML(const char *xml);

/* Adds or updates @def (taken); the stored domain, locked driver, or
 * NULL. */
fakeDomain *fakeAdd(qemuDriver *driver, fakeDomain *def, bool persistent,
                    bool *updated);

/* Raises a lifecycle event (call without the lock). */
void fakeLifecycle(qemuDriver *driver, const char *name,
                   const unsigned char *uuid, int id, int event, int detail);

/* rpcfakemigration.c */
void rpcFakeMigrationInit(qemuDriver *driver);
void rpcFakeMigrationClear(qemuDriver *driver);
