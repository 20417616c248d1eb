// The AD subset schema, with the attribute and class OIDs that Active
// Directory uses (MS-ADA1/2/3, MS-ADSC), in cn=config form.
#include <sstream>
#include <string>

#include "gmsa/lab/config.hpp"

namespace gmsa::lab {
namespace {

constexpr const char* kString =
    "EQUALITY caseIgnoreMatch SUBSTR caseIgnoreSubstringsMatch "
    "SYNTAX 1.3.6.1.4.1.1466.115.121.1.15";
constexpr const char* kOctets = "EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40";
constexpr const char* kInteger = "EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27";
constexpr const char* kDn = "EQUALITY distinguishedNameMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.12";

struct Attr {
  const char* oid;
  const char* name;
  const char* syntax;
  bool single;
};

constexpr Attr kAttrs[] = {
    {"1.2.840.113556.1.4.221", "sAMAccountName", kString, true},
    {"1.2.840.113556.1.4.771", "servicePrincipalName", kString, false},
    {"1.2.840.113556.1.4.619", "dNSHostName", kString, true},
    {"1.2.840.113556.1.4.8", "userAccountControl", kInteger, true},
    {"1.2.840.113556.1.4.302", "sAMAccountType", kInteger, true},
    {"1.2.840.113556.1.4.750", "groupType", kInteger, true},
    {"1.2.840.113556.1.4.146", "objectSid", kOctets, true},
    {"1.2.840.113556.1.4.2", "objectGUID", kOctets, true},
    {"1.2.840.113556.1.2.102", "memberOf", kDn, false},
    {"1.2.840.113556.1.4.87", "nETBIOSName", kString, true},
    {"1.2.840.113556.1.2.16", "nCName", kDn, true},
    {"1.2.840.113556.1.4.28", "dnsRoot", kString, false},
    {"1.2.840.113556.1.4.2196", "msDS-ManagedPassword", kOctets, true},
    {"1.2.840.113556.1.4.2197", "msDS-ManagedPasswordId", kOctets, true},
    {"1.2.840.113556.1.4.2198", "msDS-ManagedPasswordPreviousId", kOctets, true},
    {"1.2.840.113556.1.4.2199", "msDS-ManagedPasswordInterval", kInteger, true},
    {"1.2.840.113556.1.4.2200", "msDS-GroupMSAMembership", kOctets, true},
    {"1.2.840.113556.1.4.2169", "msKds-KDFAlgorithmID", kString, true},
    {"1.2.840.113556.1.4.2170", "msKds-KDFParam", kOctets, true},
    {"1.2.840.113556.1.4.2171", "msKds-SecretAgreementAlgorithmID", kString, true},
    {"1.2.840.113556.1.4.2172", "msKds-SecretAgreementParam", kOctets, true},
    {"1.2.840.113556.1.4.2173", "msKds-PublicKeyLength", kInteger, true},
    {"1.2.840.113556.1.4.2174", "msKds-PrivateKeyLength", kInteger, true},
    {"1.2.840.113556.1.4.2175", "msKds-RootKeyData", kOctets, true},
    {"1.2.840.113556.1.4.2176", "msKds-Version", kInteger, true},
    {"1.2.840.113556.1.4.2177", "msKds-DomainID", kDn, true},
    {"1.2.840.113556.1.4.2178", "msKds-UseStartTime", kInteger, true},
    {"1.2.840.113556.1.4.2179", "msKds-CreateTime", kInteger, true},
};

constexpr const char* kClasses[] = {
    "( 1.2.840.113556.1.5.67 NAME 'domainDNS' SUP top STRUCTURAL MUST dc "
    "MAY ( objectSid $ objectGUID $ description ) )",
    "( 1.2.840.113556.1.3.23 NAME 'container' SUP top STRUCTURAL MUST cn MAY description )",
    "( 1.2.840.113556.1.5.12 NAME 'configuration' SUP top STRUCTURAL MUST cn )",
    "( 1.2.840.113556.1.5.7000.53 NAME 'crossRefContainer' SUP top STRUCTURAL MUST cn )",
    "( 1.2.840.113556.1.3.11 NAME 'crossRef' SUP top STRUCTURAL MUST ( cn $ nCName $ dnsRoot ) "
    "MAY nETBIOSName )",
    "( 1.2.840.113556.1.5.9 NAME 'user' SUP top STRUCTURAL MUST cn MAY ( sAMAccountName $ "
    "userAccountControl $ sAMAccountType $ objectSid $ objectGUID $ memberOf $ "
    "servicePrincipalName $ description ) )",
    "( 1.2.840.113556.1.3.30 NAME 'computer' SUP user STRUCTURAL MAY dNSHostName )",
    "( 1.2.840.113556.1.5.282 NAME 'msDS-GroupManagedServiceAccount' SUP computer STRUCTURAL "
    "MUST msDS-ManagedPasswordInterval MAY ( msDS-GroupMSAMembership $ "
    "msDS-ManagedPasswordPreviousId $ msDS-ManagedPasswordId $ msDS-ManagedPassword ) )",
    "( 1.2.840.113556.1.5.8 NAME 'group' SUP top STRUCTURAL MUST cn MAY ( member $ "
    "sAMAccountName $ sAMAccountType $ groupType $ objectSid $ objectGUID $ memberOf $ "
    "description ) )",
    "( 1.2.840.113556.1.5.278 NAME 'msKds-ProvRootKey' SUP top STRUCTURAL MUST ( cn $ "
    "msKds-CreateTime $ msKds-RootKeyData $ msKds-PrivateKeyLength $ msKds-PublicKeyLength $ "
    "msKds-SecretAgreementAlgorithmID $ msKds-KDFAlgorithmID $ msKds-UseStartTime $ "
    "msKds-DomainID $ msKds-Version ) MAY ( msKds-SecretAgreementParam $ msKds-KDFParam ) )",
};

}  // namespace

std::string ad_schema_ldif() {
  std::ostringstream o;
  o << "dn: cn=adsubset,cn=schema,cn=config\n"
    << "objectClass: olcSchemaConfig\n"
    << "cn: adsubset\n";
  for (const auto& a : kAttrs) {
    o << "olcAttributeTypes: ( " << a.oid << " NAME '" << a.name << "' " << a.syntax
      << (a.single ? " SINGLE-VALUE" : "") << " )\n";
  }
  for (const auto* c : kClasses) o << "olcObjectClasses: " << c << "\n";
  o << "\n";
  return o.str();
}

}  // namespace gmsa::lab
