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

#ifndef HNV_AGENT_H
#define HNV_AGENT_H 1

/* The HNV host agent inside ovs-vswitchd.
 *
 * It follows the ms_vtep and ms_firewall policy databases at the remote
 * that Open_vSwitch external_ids:hnv-remote names, checks every row, and
 * reports through "ovs-appctl hnv/status".  With no hnv-remote configured it
 * does nothing at all, so ovs-vswitchd behaves exactly as upstream's.
 *
 * ovs-vswitchd's main() calls these beside bridge_*() (patches/0001). */

struct simap;

void hnv_agent_init(const char *ovs_remote);
void hnv_agent_run(void);
void hnv_agent_wait(void);
void hnv_agent_get_memory_usage(struct simap *usage);
void hnv_agent_exit(void);

#endif /* hnv-agent.h */
