#!/usr/bin/env python3
#
# gendispatch.py: an RPC program's procedure table and simple dispatch
# stubs, generated from the annotations of its protocol file (in the
# spirit of libvirt's src/rpc/gendispatch.pl).
#
#   gendispatch.py PREFIX_protocol.x OUT.h OUT.c
#
# The program is named by its enum, "enum PREFIX_procedure" (remote,
# qemu): its procedures are PREFIX_PROC_*, their structures
# PREFIX_<name>_args/_ret, the handlers PREFIXDispatch<Name>, the table
# PREFIXDispatchGetProcs, and the stubs include "PREFIX_dispatch.h".
#
# Every procedure of the enum (except event messages: those with a
# PREFIX_*_msg structure) carries a doc comment with "@key: value"
# annotations, several per line allowed; lines not starting with '@'
# are prose:
#
#   @generate: server|none  server: the stub is generated from @call or
#                           @fold; none: PREFIXDispatch<Name> is written
#                           by hand (declared in OUT.h)
#   @priority: high         may run on the priority workers
#   @acl: PERM ...          libvirt 9.0's access permissions.  The
#                           procedure is allowed on a read-only
#                           connection only if every permission is one
#                           an anonymous client has (see ANONYMOUS);
#                           "domain:read_secure:FLAG" refuses FLAG on a
#                           read-only connection ("API with secure flag")
#   @api: NAME              the libvirt API the procedure serves, when
#                           it is not "vir" + Name (named in refusals)
#   @readonly: allow        allowed read-only despite @acl (libvirt
#                           9.0's API has no read-only check); the
#                           prose says why
#   @open: optional         may be called before CONNECT_OPEN
#   @auth: optional         may be called before the client authenticated
#                           (on a listener that asks for SASL); every
#                           other procedure is refused until then
#   @long: MEMBER           this hyper is an (unsigned) long for the
#                           callee (libvirt's legacy long parameters)
#   @call: [MEMBER =] FUNC(ARG, ...)
#                           the stub: ARG is an argument member, &MEMBER
#                           (a result member filled through a pointer),
#                           a literal, or one of driver, node, srv,
#                           client, storage (a server without a storage
#                           driver answers "not supported").  Domain,
#                           storage pool and volume members are passed
#                           as the driver takes them (UUID; UUID and
#                           name; pool name and volume name) and filled
#                           as refs  "MEMBER =" stores FUNC's return
#                           value (NULL / negative: failure); "MEMBER =
#                           CONSTANT" answers a constant.
#   @struct: NAME TYPE [MEMBER=FIELD ...]
#                           &NAME in @call is a local TYPE whose fields
#                           fill every result member (MEMBER from FIELD,
#                           by default the field of the same name)
#   @fold: PROC NAME=PARAM ... -NAME
#                           the stub converts the fixed arguments into
#                           PROC's (a *_PARAMS procedure): members of
#                           the same name are copied, NAME becomes the
#                           typed parameter PARAM, -NAME is dropped, and
#                           flags (a hyper) must fit in 32 bits
#
# The refusal of a read-only connection names the libvirt API: @api, or
# "vir" + Name (DOMAIN_DESTROY -> virDomainDestroy).

import os
import re
import sys

# libvirt's permissions an unprivileged (polkit: any) user holds
# (src/access/viraccessperm.h, "@anonymous: 1")
ANONYMOUS = ("none", "connect:getattr", "connect:read", "connect:search_domains",
             "domain:getattr", "domain:read", "connect:search_storage_pools",
             "storage_pool:getattr", "storage_pool:read",
             "storage_pool:search_storage_vols", "storage_vol:getattr",
             "storage_vol:read",
             # the object types of the drivers virtmigd answers empty
             "connect:search_networks", "network:getattr",
             "connect:search_interfaces", "interface:getattr",
             "connect:search_node_devices", "node_device:getattr",
             "connect:search_secrets", "secret:getattr",
             "connect:search_nwfilters", "nwfilter:getattr")
CONTEXT = {"driver": "srv->driver", "node": "srv->node", "srv": "srv",
           "client": "client", "storage": "srv->storage"}
# Drivers a server may lack: a stub naming one answers libvirt's "this
# function is not supported" without it.
OPTIONAL_DRIVERS = ("storage",)
# Object arguments: how the callee receives them (%s: the member).
ARG_OBJECTS = {
    "remote_nonnull_domain": "remoteDomainUUID(&a->%s)",
    "remote_nonnull_storage_pool": "(const unsigned char *)a->{0}.uuid, a->{0}.name",
    "remote_nonnull_storage_vol": "a->{0}.pool, a->{0}.name",
}
# Object results: the callee fills a local of the C type, moved into
# the result by the function.
RET_OBJECTS = {
    "remote_nonnull_domain": ("qemuDomainRef", "remoteMoveDomain"),
    "remote_nonnull_storage_pool": ("storagePoolRef", "remoteMoveStoragePool"),
    "remote_nonnull_storage_vol": ("storageVolRef", "remoteMoveStorageVol"),
}
FIXUPS = {"Xml": "XML", "Uri": "URI", "Uuid": "UUID", "Id": "ID",
          "Os": "OS", "Cpu": "CPU"}
HANDLER_ARGS = ("virNetServerClient *client,\n"
                "    const virNetMessageHeader *header,\n"
                "    void *args, void *ret, void *opaque")


class GenError(Exception):
    pass


def proc_name(name):
    """CONNECT_GET_URI -> ConnectGetURI"""
    return "".join(FIXUPS.get(w.capitalize(), w.capitalize())
                   for w in name.split("_"))


# ---- parsing ---------------------------------------------------------------

def parse_structs(text):
    """struct name -> [(type, member)] (type "array" for <...> members),
    and the typedef aliases of structs (alias -> struct)."""
    structs, aliases = {}, {}
    for m in re.finditer(r"^struct (\w+) \{\n(.*?)^\};", text, re.M | re.S):
        members = []
        for line in m.group(2).splitlines():
            mm = re.match(r"\s*(.+?)\s+(\w+)\s*(<[^>]*>|\[[^\]]*\])?;", line)
            if mm:
                dim = mm.group(3) or ""
                mtype = "array" if dim.startswith("<") else mm.group(1)
                members.append((mtype + ("[]" if dim.startswith("[") else ""),
                                mm.group(2)))
        structs[m.group(1)] = members
    for m in re.finditer(r"^typedef (\w+) (\w+);", text, re.M):
        if m.group(1) in structs:
            structs[m.group(2)] = structs[m.group(1)]
            aliases[m.group(2)] = m.group(1)
    return structs, aliases


def parse_annotations(comment):
    notes = {"acl": []}
    for line in comment.splitlines():
        line = line.strip().lstrip("/*").strip()
        if not line.startswith("@"):
            continue
        for key, value in re.findall(r"@(\w+):\s*([^@]*)", line):
            value = value.strip().rstrip("*/").strip()
            if key == "acl":
                notes["acl"] += value.split()
            else:
                notes[key] = value
    return notes


def parse_program(text):
    """The program's prefix ("remote", "qemu") and its procedure enum."""
    m = re.search(r"^enum (\w+)_procedure \{(.*?)\};", text, re.S | re.M)
    if not m:
        raise GenError("no 'enum PREFIX_procedure'")
    return m.group(1), m.group(2)


def parse_procs(text, structs):
    prefix, body = parse_program(text)
    procs = []
    pattern = r"(/\*\*.*?\*/)\s*%s_PROC_(\w+) = (\d+)" % prefix.upper()
    for m in re.finditer(pattern, body, re.S):
        name = m.group(2)
        base = prefix + "_" + name.lower()
        if base + "_msg" in structs:
            continue
        proc = parse_annotations(m.group(1))
        proc.update(name=name, number=int(m.group(3)), Name=proc_name(name),
                    prefix=prefix)
        proc.setdefault("api", "vir" + proc["Name"])
        proc["args"] = base + "_args" if base + "_args" in structs else None
        proc["ret"] = base + "_ret" if base + "_ret" in structs else None
        check_proc(proc)
        procs.append(proc)
    return procs


def where_(proc):
    return "%s_PROC_%s" % (proc["prefix"].upper(), proc["name"])


def handler(proc, name=None):
    """remoteDispatchDomainGetState, qemuDispatchDomainMonitorCommand"""
    return "%sDispatch%s" % (proc["prefix"], name or proc["Name"])


def check_proc(proc):
    where = where_(proc)
    if proc.get("generate") not in ("server", "none"):
        raise GenError("%s: @generate must be server or none" % where)
    if not proc["acl"]:
        raise GenError("%s: no @acl (every procedure must say)" % where)
    if proc["generate"] == "server" and not ("call" in proc or "fold" in proc):
        raise GenError("%s: @generate: server needs @call or @fold" % where)
    if proc.get("readonly", "allow") != "allow":
        raise GenError("%s: @readonly takes only 'allow'" % where)
    if proc.get("auth", "optional") != "optional":
        raise GenError("%s: @auth takes only 'optional'" % where)


def readonly_safe(proc):
    if proc.get("readonly") == "allow":
        return True
    for perm in proc["acl"]:
        parts = perm.split(":")
        if len(parts) == 3 and parts[1] == "read_secure":
            continue              # refused per flag by the stub
        if ":".join(parts[:2]) not in ANONYMOUS:
            return False
    return True


def secure_flags(proc):
    return [p.split(":")[2] for p in proc["acl"]
            if len(p.split(":")) == 3 and p.split(":")[1] == "read_secure"]


# ---- stubs -------------------------------------------------------------------

def member_type(structs, struct, member, where):
    for mtype, mname in structs.get(struct) or []:
        if mname == member:
            return mtype
    raise GenError("%s: %s has no member '%s'" % (where, struct, member))


def arg_expr(structs, proc, token, where):
    if token in CONTEXT:
        return CONTEXT[token]
    if re.match(r'^(-?\d+|"[^"]*"|true|false|NULL|[A-Z][A-Z0-9_]*)$', token):
        return token
    mtype = member_type(structs, proc["args"], token, where)
    if mtype in ARG_OBJECTS:
        return ARG_OBJECTS[mtype].replace("{0}", token).replace("%s", token)
    if mtype == "remote_uuid":
        return "(const unsigned char *)a->%s" % token
    if mtype == "remote_string":
        return "(a->%s ? *a->%s : NULL)" % (token, token)
    return "a->" + token


def struct_out(structs, proc, words):
    """@struct: a local driver structure copied into the whole result"""
    name, ctype, renames = words[0], words[1], dict(w.split("=") for w in words[2:])
    after = []
    for mtype, member in structs[proc["ret"]]:
        field = "%s.%s" % (name, renames.get(member, member))
        if mtype.endswith("[]"):
            after.append("G_STATIC_ASSERT(sizeof(r->%s) == sizeof(%s));" % (member, field))
            after.append("memcpy(r->%s, %s, sizeof(r->%s));" % (member, field, member))
        else:
            after.append("r->%s = %s;" % (member, field))
    return ("%s %s = { 0 };" % (ctype, name), "&" + name, "\n".join(after))


def out_param(structs, proc, member, where):
    """(local declaration or None, argument, statement after success)"""
    words = proc.get("struct", "").split()
    if words and words[0] == member:
        return struct_out(structs, proc, words)
    mtype = member_type(structs, proc["ret"], member, where)
    if mtype in RET_OBJECTS:
        ctype, move = RET_OBJECTS[mtype]
        return ("%s %s = { 0 };" % (ctype, member), "&" + member,
                "%s(&r->%s, &%s);" % (move, member, member))
    if mtype in ("unsigned hyper", "hyper"):
        ctype = "long" if member in proc.get("long", "").split() else "long long"
        if mtype.startswith("unsigned"):
            ctype = "unsigned " + ctype
        return ("%s %s = 0;" % (ctype, member), "&" + member,
                "r->%s = %s;" % (member, member))
    return (None, "&r->" + member, None)


def gen_call_stub(structs, proc, out):
    where = where_(proc)
    m = re.match(r"^(?:(\w+)\s*=\s*)?(\w+)(?:\((.*)\))?$", proc["call"])
    if not m:
        raise GenError("%s: cannot parse @call '%s'" % (where, proc["call"]))
    target, func, arglist = m.groups()
    decls, args, after = [], [], []
    for token in [t.strip() for t in (arglist or "").split(",") if t.strip()]:
        if token.startswith("&"):
            decl, arg, stmt = out_param(structs, proc, token[1:], where)
            decls += [decl] if decl else []
            after += [stmt] if stmt else []
            args.append(arg)
        else:
            args.append(arg_expr(structs, proc, token, where))
    call = "%s(%s)" % (func, ", ".join(args)) if arglist is not None else func
    uses_srv = any(a.startswith("srv") for a in args)

    if target:
        ttype = member_type(structs, proc["ret"], target, where)
    body = secure_checks(proc)
    for name in OPTIONAL_DRIVERS:
        if CONTEXT[name] in args:
            uses_srv = True
            body.append("if (!%s)" % CONTEXT[name])
            body.append('    return remoteUnsupported("vir%s");' % proc["Name"])
    if target and arglist is None:
        body.append("r->%s = %s;" % (target, call))
        body.append("return 0;")
    elif target:
        test = "? 0 : -1" if ttype == "remote_nonnull_string" else "< 0 ? -1 : 0"
        body.append("return (r->%s = %s) %s;" % (target, call, test))
    elif after:
        body += ["if (%s < 0)" % call, "    return -1;"] + after + ["return 0;"]
    else:
        body.append("return %s < 0 ? -1 : 0;" % call)
    emit_stub(proc, out, decls, body, uses_srv)


def secure_checks(proc):
    api = proc["api"]
    body = []
    for flag in secure_flags(proc):
        body.append('if (remoteCheckSecureFlag(client, a->flags & %s, "%s") < 0)'
                    % (flag, api))
        body.append("    return -1;")
    return body


def gen_fold_stub(structs, aliases, procs, proc, out):
    where = where_(proc)
    words = proc["fold"].split()
    target = next((p for p in procs if p["name"] == words[0]), None)
    if not target or not target["args"]:
        raise GenError("%s: @fold target %s unknown" % (where, words[0]))
    if proc["ret"] and aliases.get(proc["ret"]) != target["ret"]:
        raise GenError("%s: its result must be a typedef of %s" % (where, target["ret"]))
    renames = dict(w.split("=") for w in words[1:] if "=" in w)
    dropped = {w[1:] for w in words[1:] if w.startswith("-")}
    targs = dict((n, t) for t, n in structs[target["args"]])
    body = ['if (remoteMigrationFixedFlags(a->flags, "%s", &p.flags) < 0)' % proc["api"],
            "    return -1;"]
    for mtype, member in structs[proc["args"]]:
        if member in ("flags", "params") or member in dropped or member in renames:
            continue
        if targs.get(member) != mtype:
            raise GenError("%s: cannot carry '%s' over to %s" % (where, member, target["name"]))
        if mtype == "array":
            body.append("p.%s.%s_len = a->%s.%s_len;" % (member, member, member, member))
            body.append("p.%s.%s_val = a->%s.%s_val;" % (member, member, member, member))
        else:
            body.append("p.%s = a->%s;" % (member, member))
    body.append("p.params.params_val = params;")
    for member, param in renames.items():
        mtype = member_type(structs, proc["args"], member, where)
        adder = "ULLong" if mtype == "unsigned hyper" else "String"
        value = arg_expr(structs, proc, member, where)
        body.append('remoteMigrationFixedParam%s(params, &p.params.params_len, "%s",'
                    % (adder, param))
        body.append("    %s);" % value)
    body.append("return %s(client, header, &p, ret, opaque);" % handler(target))
    decls = ["%s p = { 0 };" % target["args"],
             "remote_typed_param params[%d];" % max(len(renames), 1)]
    emit_stub(proc, out, decls, body, False)


def emit_stub(proc, out, decls, body, uses_srv):
    text = "\n".join(body)
    locals_ = []
    if proc["args"] and "a->" in text:
        locals_.append("%s *a = args;" % proc["args"])
    if proc["ret"] and "r->" in text:
        locals_.append("%s *r = ret;" % proc["ret"])
    if uses_srv:
        locals_.append("remoteServer *srv = opaque;")
    locals_ += decls
    out.append("static int\n%s(%s)\n{" % (handler(proc), HANDLER_ARGS))
    out += ["    " + line for line in locals_] + ([""] if locals_ else [])
    out += ["    " + line for line in "\n".join(body).split("\n")]
    out.append("}\n")


# ---- table -----------------------------------------------------------------

def xdr(struct):
    """The XDR filter and C size of a procedure's arguments or result."""
    if not struct:
        return "(xdrproc_t)virNetMessageXdrVoid", "0"
    return "(xdrproc_t)xdr_" + struct, "sizeof(%s)" % struct


def gen_table(prefix, procs, out):
    out.append("static const virNetServerProc %sProcs[] = {" % prefix)
    for p in sorted(procs, key=lambda p: p["number"]):
        out.append('    { .proc = %s, .name = "%s",' % (where_(p), p["name"]))
        out.append('      .jobName = "%s", .func = %s,' % (handler(p), handler(p)))
        out.append("      .argsFilter = %s, .argsLen = %s," % xdr(p["args"]))
        out.append("      .retFilter = %s, .retLen = %s," % xdr(p["ret"]))
        out.append("      .highPriority = %s, .readonly = %s, .beforeOpen = %s,"
                   % (c_bool(p.get("priority") == "high"), c_bool(readonly_safe(p)),
                      c_bool(p.get("open") == "optional")))
        out.append('      .beforeAuth = %s, .api = "%s" },'
                   % (c_bool(p.get("auth") == "optional"), p["api"]))
    out.append("};\n")
    out.append("const virNetServerProc *\n%sDispatchGetProcs(size_t *nprocs)\n{" % prefix)
    out.append("    *nprocs = G_N_ELEMENTS(%sProcs);\n    return %sProcs;\n}"
               % (prefix, prefix))


def c_bool(value):
    return "true" if value else "false"


def generate(text, source_name):
    structs, aliases = parse_structs(text)
    prefix = parse_program(text)[0]
    procs = parse_procs(text, structs)
    banner = ("/* Generated by src/rpc/gendispatch.py from %s: do not edit. */\n"
              % source_name)
    header = [banner, "#pragma once\n", '#include "virnetserverprogram.h"\n',
              "/* The handlers written by hand (@generate: none). */"]
    for p in procs:
        if p["generate"] == "none":
            header.append("int %s(%s);" % (handler(p), HANDLER_ARGS))
    header.append("\n/* The procedure table, sorted by number. */")
    header.append("const virNetServerProc *%sDispatchGetProcs(size_t *nprocs);" % prefix)

    source = [banner, "#include <string.h>\n", '#include "%s_dispatch.h"' % prefix,
              '#include "domain_conf.h"',
              '#include "remote_node.h"\n']
    for p in procs:
        if "call" in p and p["generate"] == "server":
            gen_call_stub(structs, p, source)
        elif p["generate"] == "server":
            gen_fold_stub(structs, aliases, procs, p, source)
    gen_table(prefix, procs, source)
    return "\n".join(header) + "\n", "\n".join(source) + "\n"


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: gendispatch.py PROTOCOL.x OUT.h OUT.c\n")
        return 1
    with open(argv[1], encoding="utf-8") as f:
        text = f.read()
    try:
        header, source = generate(text, os.path.basename(argv[1]))
    except GenError as e:
        sys.stderr.write("%s: %s\n" % (argv[1], e))
        return 1
    for path, content in ((argv[2], header), (argv[3], source)):
        with open(path, "w", encoding="utf-8") as f:
            f.write(content)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
