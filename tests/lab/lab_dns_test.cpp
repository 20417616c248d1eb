// DC discovery against the lab's DNS server (dnsmasq in the namespace).
#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <resolv.h>

#include <set>

#include "lab_env.hpp"

namespace gmsa::labtest {
namespace {

// SRV targets and ports from the lab DNS server at `server`.
std::set<std::string> srv(const std::string& server, const std::string& name) {
  struct __res_state st {};
  if (res_ninit(&st) != 0) return {};
  st.nscount = 1;
  st.nsaddr_list[0].sin_family = AF_INET;
  st.nsaddr_list[0].sin_port = htons(53);
  inet_pton(AF_INET, server.c_str(), &st.nsaddr_list[0].sin_addr);
  st.options &= ~static_cast<unsigned long>(RES_DNSRCH | RES_DEFNAMES);
  st.retry = 1;
  st.retrans = 2;
  unsigned char answer[4096];
  int n = res_nquery(&st, name.c_str(), ns_c_in, ns_t_srv, answer, sizeof answer);
  std::set<std::string> out;
  ns_msg msg;
  if (n > 0 && ns_initparse(answer, n, &msg) == 0) {
    for (int i = 0; i < ns_msg_count(msg, ns_s_an); ++i) {
      ns_rr rr;
      if (ns_parserr(&msg, ns_s_an, i, &rr) != 0 || ns_rr_type(rr) != ns_t_srv) continue;
      const unsigned char* rd = ns_rr_rdata(rr);
      unsigned port = (rd[4] << 8) | rd[5];
      char target[NS_MAXDNAME];
      if (dn_expand(ns_msg_base(msg), ns_msg_end(msg), rd + 6, target, sizeof target) < 0) continue;
      out.insert(std::string(target) + ":" + std::to_string(port));
    }
  }
  res_nclose(&st);
  return out;
}

TEST(LabDns, SrvRecordsNameBothDcsOnBothServers) {
  if (!lab().up) GTEST_SKIP() << "lab not up";
  for (const auto& server : lab().facts["dnsServers"]) {
    EXPECT_EQ(srv(server, "_ldap._tcp.dc._msdcs.contoso.test"),
              (std::set<std::string>{"dc1.contoso.test:389", "dc2.contoso.test:389"}));
    EXPECT_EQ(srv(server, "_kerberos._tcp.contoso.test"),
              (std::set<std::string>{"dc1.contoso.test:88", "dc2.contoso.test:88"}));
    EXPECT_EQ(srv(server, "_ldap._tcp.contoso.test"),
              (std::set<std::string>{"dc1.contoso.test:389", "dc2.contoso.test:389"}));
  }
  EXPECT_TRUE(srv(lab().facts["dnsServers"][0], "_ldap._tcp.dc._msdcs.example.org").empty());
}

}  // namespace
}  // namespace gmsa::labtest
