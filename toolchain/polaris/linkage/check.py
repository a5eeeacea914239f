#!/usr/bin/env python3
"""Member-level linkage check of the sandbox's Polaris server.

The published polaris-runtime-service and polaris-core jars were compiled against Polaris' own
polaris-api-* jars, which the Maven repository reached here does not serve; this build generates that
API layer from the specs instead. The JVM only notices a missing class, constructor, method or field when
the code that uses it first runs, which a test suite may never reach. So this reads the class files:

1. every reference that runtime-service or core makes into the four generated packages must resolve, with
   the same descriptor, to a member of the built app (walking superclasses and interfaces, also into the
   Iceberg jars that generated classes extend);
2. every method of a generated *ApiService interface must be implemented by runtime-service; an
   unimplemented one would silently answer 501 from the interface default.

Usage: check.py QUARKUS_APP_DIR     (exit 0 when everything links, 1 otherwise)
"""

import glob
import os
import struct
import sys
import zipfile

GENERATED_PACKAGES = (
    "org/apache/polaris/core/admin/model/",
    "org/apache/polaris/service/admin/api/",
    "org/apache/polaris/service/catalog/api/",
    "org/apache/polaris/service/types/",
)
# Used only when the token endpoint is disabled; it answers 501 from the interface on purpose.
EXPECTED_UNIMPLEMENTED = {"DisabledOAuth2ApiService"}


class ClassInfo:
    def __init__(self, name, superclass, interfaces, references, used_classes, members):
        self.name = name
        self.superclass = superclass
        self.interfaces = interfaces
        self.references = references  # (kind, owner, name, descriptor), kind F or M
        self.used_classes = used_classes
        self.members = members  # (kind, name, descriptor)


def parse_class(data):
    """Reads the constant pool, the class header and the declared members of one class file."""
    pos = 8
    (count,) = struct.unpack_from(">H", data, pos)
    pos += 2
    pool = [None] * count
    index = 1
    while index < count:
        tag = data[pos]
        pos += 1
        if tag == 1:  # Utf8
            (length,) = struct.unpack_from(">H", data, pos)
            pool[index] = ("utf8", data[pos + 2 : pos + 2 + length].decode("utf-8", "replace"))
            pos += 2 + length
        elif tag == 7:  # Class
            pool[index] = ("class", struct.unpack_from(">H", data, pos)[0])
            pos += 2
        elif tag in (9, 10, 11):  # Fieldref, Methodref, InterfaceMethodref
            owner, name_and_type = struct.unpack_from(">HH", data, pos)
            pool[index] = ("F" if tag == 9 else "M", owner, name_and_type)
            pos += 4
        elif tag == 12:  # NameAndType
            pool[index] = ("nt",) + struct.unpack_from(">HH", data, pos)
            pos += 4
        elif tag in (5, 6):  # Long, Double take two slots
            pos += 8
            index += 1
        else:
            pos += {3: 4, 4: 4, 8: 2, 15: 3, 16: 2, 17: 4, 18: 4, 19: 2, 20: 2}[tag]
        index += 1

    def utf8(i):
        return pool[i][1]

    def class_name(i):
        return utf8(pool[i][1])

    _, this, superclass = struct.unpack_from(">HHH", data, pos)
    pos += 6
    (interface_count,) = struct.unpack_from(">H", data, pos)
    pos += 2
    interfaces = [class_name(struct.unpack_from(">H", data, pos + 2 * j)[0]) for j in range(interface_count)]
    pos += 2 * interface_count
    members = set()
    for kind in ("F", "M"):
        (member_count,) = struct.unpack_from(">H", data, pos)
        pos += 2
        for _ in range(member_count):
            _, name, descriptor, attribute_count = struct.unpack_from(">HHHH", data, pos)
            pos += 8
            members.add((kind, utf8(name), utf8(descriptor)))
            for _ in range(attribute_count):
                (length,) = struct.unpack_from(">I", data, pos + 2)
                pos += 6 + length
    references, used_classes = [], []
    for entry in pool:
        if entry and entry[0] in ("F", "M"):
            name_and_type = pool[entry[2]]
            references.append((entry[0], class_name(entry[1]), utf8(name_and_type[1]), utf8(name_and_type[2])))
        elif entry and entry[0] == "class":
            used_classes.append(utf8(entry[1]))
    return ClassInfo(class_name(this), class_name(superclass) if superclass else None, interfaces, references,
                     used_classes, members)


def load(jars):
    classes = {}
    for jar in jars:
        with zipfile.ZipFile(jar) as archive:
            for entry in archive.namelist():
                if entry.endswith(".class") and not entry.startswith("META-INF"):
                    info = parse_class(archive.read(entry))
                    classes[info.name] = info
    return classes


def in_generated_package(name):
    return any(name.startswith(p) and "/" not in name[len(p):] for p in GENERATED_PACKAGES)


# What every class inherits from java.lang.Object; members of other JDK classes (HashMap, Enum, Record)
# that generated classes extend are taken on trust.
OBJECT_METHODS = {"equals", "hashCode", "toString", "getClass", "notify", "notifyAll", "wait", "clone", "finalize"}


def defines(provided, owner, kind, name, descriptor):
    info = provided.get(owner)
    if owner == "java/lang/Object":
        return kind == "M" and name in OBJECT_METHODS
    if info is None:
        return owner.startswith("java/")
    if (kind, name, descriptor) in info.members:
        return True
    parents = ([info.superclass] if info.superclass else []) + info.interfaces
    return any(defines(provided, parent, kind, name, descriptor) for parent in parents)


def one_jar(app_dir, pattern):
    found = glob.glob(os.path.join(app_dir, pattern))
    if len(found) != 1:
        sys.exit(f"error: expected one {pattern} in {app_dir}, found {len(found)}")
    return found[0]


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    app_dir = sys.argv[1]
    users = load([one_jar(app_dir, "lib/main/org.apache.polaris.polaris-runtime-service-*.jar"),
                  one_jar(app_dir, "lib/main/org.apache.polaris.polaris-core-*.jar")])
    generated = load([one_jar(app_dir, "app/*.jar")])
    provided = {**load([one_jar(app_dir, "lib/main/org.apache.iceberg.iceberg-core-*.jar"),
                        one_jar(app_dir, "lib/main/org.apache.iceberg.iceberg-api-*.jar")]), **generated}

    needed = {}
    for user in users.values():
        for used in user.used_classes:
            used = used.lstrip("[").removeprefix("L").removesuffix(";")
            if in_generated_package(used) and used not in users:
                needed.setdefault(("C", used, "", ""), user.name)
        for kind, owner, name, descriptor in user.references:
            if in_generated_package(owner) and owner not in users:
                needed.setdefault((kind, owner, name, descriptor), user.name)
    missing = 0
    for (kind, owner, name, descriptor), user in sorted(needed.items()):
        present = owner in provided if kind == "C" else defines(provided, owner, kind, name, descriptor)
        if not present:
            missing += 1
            print(f"MISSING {kind} {owner} {name}{descriptor} (used by {user})")
    print(f"linkage: {len(needed)} references from runtime-service and core, {missing} missing")

    unimplemented = implementations = 0
    services = sorted(n for n in generated if n.endswith("ApiService"))
    for service in services:
        methods = {(n, d) for k, n, d in generated[service].members if k == "M" and not n.startswith("<")}
        for implementation in (c for c in users.values() if service in c.interfaces):
            if implementation.name.rsplit("/", 1)[-1] in EXPECTED_UNIMPLEMENTED:
                continue
            implementations += 1
            declared = {(n, d) for k, n, d in implementation.members if k == "M"}
            for name, descriptor in sorted(methods - declared):
                unimplemented += 1
                print(f"NOT IMPLEMENTED {service}.{name}{descriptor} by {implementation.name}")
    print(f"services: {len(services)} generated *ApiService interfaces, {implementations} implementations in "
          f"runtime-service, {unimplemented} methods not implemented")
    sys.exit(1 if missing or unimplemented else 0)


if __name__ == "__main__":
    main()
