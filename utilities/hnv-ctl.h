/*
 * Copyright (c) 2026 The ovs-hnv authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at:
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

#ifndef HNV_CTL_H
#define HNV_CTL_H 1

/* What the parts of hnv-ctl share.
 *
 *   hnv-ctl.c        The program: options, which database the commands are
 *                    for, the command table, usage, and the helpers that
 *                    report errors and parse arguments.
 *   hnv-ctl-db.c     Connecting, the snapshot of the other database,
 *                    running the commands in one transaction and retrying
 *                    it, and --wait.
 *   hnv-ctl-fetch.c  Which rows of the database one invocation fetches.
 *   hnv-ctl-server.c Questions to the server before the IDL connects: its
 *                    schema, and whether new mappings' CAs are in use.
 *   hnv-ctl-index.c  The index of the ms_vtep rows that the checks look up,
 *                    and the lookups.
 *   hnv-ctl-vtep.c   The ms_vtep policy commands: hosts, virtual networks
 *                    and subnets, VM NICs, CA-PA mappings.
 *   hnv-ctl-acl.c    The ACL commands (ms_firewall) and their index.
 *   hnv-ctl-show*.c  "show": see hnv-ctl-show.h. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler.h"
#include "openvswitch/hmap.h"
#include "openvswitch/types.h"

struct ctl_command;
struct ctl_command_syntax;
struct ctl_context;
struct ds;
struct eth_addr;
struct hnv_prefix;
struct in6_addr;
struct msfw_fw_rules;
struct msvtep_logical_router;
struct msvtep_logical_switch;
struct msvtep_physical_locator;
struct msvtep_physical_port;
struct msvtep_physical_switch;
struct msvtep_ucast_macs_local;
struct msvtep_ucast_macs_remote;
struct ovsdb_idl;
struct ovsdb_idl_class;
struct ovsdb_idl_row;
struct ovsdb_idl_txn;
struct ovsdb_symbol_table;
struct table_style;

/* Options (hnv-ctl.c). */
extern const char *hnv_db_remote;       /* --db. */
extern bool hnv_oneline;                /* --oneline. */
extern bool hnv_dry_run;                /* --dry-run. */
extern bool hnv_wait;                   /* --wait. */
extern bool hnv_wait_hosts;             /* --wait=hosts. */
extern const char *hnv_host_option;     /* --host, or NULL. */
extern struct table_style hnv_table_style;

/* Reporting errors and parsing arguments (hnv-ctl.c).  Every error is one
 * line that starts with the command's name and, when one argument is at
 * fault, names it. */
void cmd_error(struct ctl_context *, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3);
void arg_error(struct ctl_context *, const char *arg_name,
               const char *format, ...)
    OVS_PRINTF_FORMAT(3, 4);
bool check_arg(struct ctl_context *, const char *arg_name, char *error);
bool parse_ip_arg(struct ctl_context *, const char *arg_name, const char *s,
                  struct in6_addr *);
bool parse_mac_arg(struct ctl_context *, const char *arg_name, const char *s,
                   struct eth_addr *);
bool parse_vsid_arg(struct ctl_context *, const char *s, uint32_t *vsid);

OVS_NO_RETURN void hnv_ctl_exit(int status);
bool is_hnv_command(const struct ctl_command_syntax *);
void check_symbols(struct ovsdb_symbol_table *);

/* Running the commands (hnv-ctl-db.c). */
void hnv_ctl_set_deadline(unsigned int secs);
long long int hnv_ctl_deadline(void);
unsigned int hnv_ctl_timeout_secs(void);
OVS_NO_RETURN void hnv_ctl_run(char *args, struct ctl_command *,
                               size_t n_commands,
                               const struct ovsdb_idl_class *);

/* Waiting for the host agents (hnv-ctl-wait.c).  Each command that may
 * write calls hnv_ctl_scope_vsid() for each virtual subnet it touches, or
 * hnv_ctl_scope_all(); one that calls neither counts as touching every
 * subnet. */
void hnv_ctl_scope_vsid(uint32_t vsid);
void hnv_ctl_scope_all(void);
void hnv_wait_start(const struct ovsdb_idl *);
void hnv_wait_command_start(void);
void hnv_wait_command_done(const struct ctl_command_syntax *);
void hnv_wait_prepare(struct ovsdb_idl *, struct ovsdb_idl_txn *,
                      bool force);
void hnv_wait_finish(struct ovsdb_idl *, int64_t next_cfg);
void hnv_wait_destroy(void);

/* A read-only snapshot of the other database, for the commands that need
 * one ("add-acl", "del-acl" with --wait=hosts, and "show"), or NULL.
 * Their prerequisites functions set 'hnv_aux_class' to ask for it. */
extern const struct ovsdb_idl_class *hnv_aux_class;
extern struct ovsdb_idl *hnv_aux_idl;

/* Whether the ms_vtep database the commands are for has ovs-hnv's
 * Ucast_Macs_Local:physical_port column (hnv-ctl-fetch.c asks the server).
 * Without it, as in Microsoft's schema, a VM NIC's Ucast_Macs_Local rows are
 * those of its virtual subnet whose MAC is the NIC's
 * status:vm_nic_macaddress, as for the host agent. */
extern bool hnv_vtep_extension;

/* Whether that database has ovs-hnv's Host_Report table, where host agents
 * report what they have installed (see hnv-ctl-wait.c). */
extern bool hnv_vtep_reports;

/* Addresses (hnv-ctl-index.c). */
char *ip_to_string(const struct in6_addr *);
char *prefix_to_string(const struct hnv_prefix *);
char *mac_to_string(const struct eth_addr *);
bool ip_string_equals(const char *s, const struct in6_addr *);
bool mac_string_equals(const char *s, const struct eth_addr *);

/* The index of the ms_vtep rows (hnv-ctl-index.c): see there. */

/* What an index entry's row is, where one map holds rows of several
 * tables. */
enum ix_kind {
    IX_ROW,                     /* The map's only table. */
    IX_UML,                     /* Ucast_Macs_Local. */
    IX_UMR,                     /* Ucast_Macs_Remote. */
    IX_PORT,                    /* Physical_Port. */
    IX_MML,                     /* Mcast_Macs_Local. */
    IX_MMR,                     /* Mcast_Macs_Remote. */
};

struct ix_entry {
    struct hmap_node hmap_node;
    const struct ovsdb_idl_row *row;
    enum ix_kind kind;
};

#define IX_CAST(TYPE, ENTRY) \
    CONTAINER_OF((ENTRY)->row, const struct TYPE, header_)

/* The parts of a vtep_index, each built when a command first needs it. */
enum {
    VIX_NAMES = 1 << 0,         /* Hosts, virtual networks and subnets,
                                 * ports, and what binds or lists them. */
    VIX_USERS = 1 << 1,         /* What refers to a port or a subnet. */
    VIX_CAS = 1 << 2,           /* The CA IPs and MACs of each subnet. */
    VIX_LOCATORS = 1 << 3,      /* Physical_Locators by address. */
};

struct vtep_index {
    const struct ovsdb_idl *idl;
    unsigned int built;         /* The VIX_* parts built. */

    /* VIX_NAMES. */
    struct hmap hosts;          /* Physical_Switch by name. */
    struct hmap vnets;          /* Logical_Router by name. */
    struct hmap vsids;          /* Logical_Switch by VSID (tunnel_key). */
    struct hmap switch_names;   /* Logical_Switch by name. */
    struct hmap bindings;       /* Logical_Router by each switch it binds. */
    struct hmap ports;          /* Physical_Port by name. */
    struct hmap port_hosts;     /* Physical_Switch by each port it lists. */

    /* VIX_USERS. */
    struct hmap port_macs;      /* Ucast_Macs_Local by physical_port (see
                                 * port_macs_hash()). */
    struct hmap switch_users;   /* Physical_Port (by each switch it binds),
                                 * Ucast_Macs_* and Mcast_Macs_* (by
                                 * logical_switch). */

    /* VIX_CAS. */
    struct hmap ca_ips;         /* Ucast_Macs_* by (logical_switch,
                                 * ipaddr), if ipaddr parses. */
    struct hmap ca_macs;        /* Ucast_Macs_* by (logical_switch, MAC),
                                 * if MAC parses. */

    /* VIX_LOCATORS. */
    struct hmap locators;       /* Physical_Locator by (encapsulation_type,
                                 * dst_ip), if dst_ip parses. */
};

/* A Ucast_Macs_Local or Ucast_Macs_Remote row, the columns they share. */
struct mac_row {
    const struct ovsdb_idl_row *row;
    enum ix_kind kind;          /* IX_UML or IX_UMR. */
    const struct msvtep_logical_switch *ls;
    const char *mac;
    const char *ip;
    const struct msvtep_ucast_macs_local *uml;   /* If IX_UML. */
    const struct msvtep_ucast_macs_remote *umr;  /* If IX_UMR. */
};

void ix_add(struct hmap *, const struct ovsdb_idl_row *, enum ix_kind,
            uint32_t hash);
bool ix_remove(struct hmap *, const struct ovsdb_idl_row *, uint32_t hash);
void ix_destroy_map(struct hmap *);
uint32_t ix_name_hash(const char *name);
uint32_t ix_ref_hash(const void *row);

struct vtep_index *vtep_index(const struct ovsdb_idl *, unsigned int parts);
void vtep_index_drop(bool snapshot);

/* Keeping the index up to date, as the commands change rows. */
void vix_add_host(struct vtep_index *, const struct msvtep_physical_switch *);
void vix_remove_host(struct vtep_index *,
                     const struct msvtep_physical_switch *);
void vix_add_vnet(struct vtep_index *, const struct msvtep_logical_router *);
void vix_remove_vnet(struct vtep_index *,
                     const struct msvtep_logical_router *);
void vix_add_switch(struct vtep_index *,
                    const struct msvtep_logical_switch *);
void vix_remove_switch(struct vtep_index *,
                       const struct msvtep_logical_switch *);
void vix_update_binding(struct vtep_index *,
                        const struct msvtep_logical_router *,
                        const struct msvtep_logical_switch *, bool remove);
void vix_update_port_host(struct vtep_index *,
                          const struct msvtep_physical_switch *,
                          const struct msvtep_physical_port *, bool remove);
void vix_add_port(struct vtep_index *, const struct msvtep_physical_port *);
void vix_unbind_port(struct vtep_index *,
                     const struct msvtep_physical_port *);
void vix_update_mac(struct vtep_index *, const struct mac_row *,
                    bool remove);
void vix_add_locator(struct vtep_index *,
                     const struct msvtep_physical_locator *);
uint32_t ix_locator_hash(const char *type, const struct in6_addr *);

struct mac_row mac_row_local(const struct msvtep_ucast_macs_local *);
struct mac_row mac_row_remote(const struct msvtep_ucast_macs_remote *);
struct mac_row mac_row_from_entry(const struct ix_entry *);

/* Lookups. */
const struct msvtep_physical_switch *find_host(const struct ovsdb_idl *,
                                               const char *name);
const struct msvtep_logical_router *find_vnet(const struct ovsdb_idl *,
                                              const char *rdid);
const struct msvtep_logical_switch *find_vsid(const struct ovsdb_idl *,
                                              uint32_t vsid);
const struct msvtep_logical_switch *find_switch_by_name(
    const struct ovsdb_idl *, const char *name);
const struct msvtep_physical_switch *find_port_host(
    const struct ovsdb_idl *, const struct msvtep_physical_port *);
const struct msvtep_physical_port *find_port(const struct ovsdb_idl *,
                                             const char *name);
bool find_binding(const struct ovsdb_idl *,
                  const struct msvtep_logical_switch *,
                  const struct msvtep_logical_router **, const char **keyp);
bool port_macs_hash(const struct msvtep_physical_port *, uint32_t *hash);
bool is_port_mac(const struct msvtep_ucast_macs_local *,
                 const struct msvtep_physical_port *);
const struct msvtep_physical_port *local_port(
    const struct ovsdb_idl *, const struct msvtep_ucast_macs_local *);
const struct msvtep_ucast_macs_local *find_port_mac(
    const struct ovsdb_idl *, const struct msvtep_physical_port *);
bool find_ca_ip(const struct ovsdb_idl *,
                const struct msvtep_logical_switch *,
                const struct in6_addr *, enum ix_kind,
                const struct ovsdb_idl_row *except, struct mac_row *);
bool find_ca_mac(const struct ovsdb_idl *,
                 const struct msvtep_logical_switch *,
                 const struct eth_addr *, enum ix_kind,
                 const struct ovsdb_idl_row *except,
                 const struct in6_addr *pa, struct mac_row *);
const struct msvtep_ucast_macs_remote *find_mapping(
    const struct ovsdb_idl *, const struct msvtep_logical_switch *,
    const struct in6_addr *);

/* The ms_vtep policy commands (hnv-ctl-vtep.c). */
void cmd_set_host(struct ctl_context *);
void cmd_add_host(struct ctl_context *);
void cmd_del_host(struct ctl_context *);
void cmd_add_vnet(struct ctl_context *);
void cmd_del_vnet(struct ctl_context *);
void cmd_add_vsid(struct ctl_context *);
void cmd_del_vsid(struct ctl_context *);
void cmd_add_port(struct ctl_context *);
void cmd_del_port(struct ctl_context *);
void cmd_move_port(struct ctl_context *);
void cmd_add_mapping(struct ctl_context *);
void cmd_del_mapping(struct ctl_context *);

/* The ACL commands (hnv-ctl-acl.c). */
void pre_add_acl(struct ctl_context *);
void pre_del_acl(struct ctl_context *);
void cmd_add_acl(struct ctl_context *);
void cmd_del_acl(struct ctl_context *);
void cmd_list_acl(struct ctl_context *);
void fw_index_drop(void);
const struct msfw_fw_rules **sorted_acls(const struct ovsdb_idl *,
                                         size_t *n);
void format_acl(const struct msfw_fw_rules *, struct ds *);

/* "show" (hnv-ctl-show.c) and "sync" (hnv-ctl-db.c). */
void pre_show(struct ctl_context *);
void cmd_show(struct ctl_context *);
void cmd_sync(struct ctl_context *);

/* "stats" (hnv-ctl-stats.c). */
void cmd_stats(struct ctl_context *);

#endif /* hnv-ctl.h */
