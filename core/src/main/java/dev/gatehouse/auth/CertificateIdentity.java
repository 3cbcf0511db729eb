package dev.gatehouse.auth;

import static dev.gatehouse.internal.Checks.checkArgument;
import static java.util.Objects.requireNonNull;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.security.auth.x500.X500Principal;

/**
 * Which field of a verified client certificate names the principal: an attribute of the subject's distinguished
 * name ({@code CN} by default, the most specific one when there are several), or the subject alternative names of
 * one type — DNS names, URIs (a SPIFFE id such as {@code spiffe://example.org/ns/orders/sa/api}) or e-mail
 * addresses. In configuration: {@code subject:CN}, {@code san:dns}, {@code san:uri}, {@code san:email}.
 */
public final class CertificateIdentity {
    private static final Map<String, Integer> SAN_TYPES = Map.of("email", 1, "dns", 2, "uri", 6);
    private static final CertificateIdentity COMMON_NAME = new CertificateIdentity("subject:CN", "CN", -1);

    private final String spec;
    private final String attribute;
    private final int sanType;

    private CertificateIdentity(String spec, String attribute, int sanType) {
        this.spec = spec;
        this.attribute = attribute;
        this.sanType = sanType;
    }

    /** The subject's common name ({@code CN}). */
    public static CertificateIdentity commonName() {
        return COMMON_NAME;
    }

    /** An attribute of the subject's distinguished name: {@code CN}, {@code OU}, {@code UID}, … */
    public static CertificateIdentity subjectAttribute(String attribute) {
        requireNonNull(attribute, "attribute");
        checkArgument(
                attribute.matches("[A-Za-z][A-Za-z0-9-]*|[0-9]+(\\.[0-9]+)+"),
                "attribute: %s (expected: an attribute type such as CN or OU, or an OID)",
                attribute);
        String upper = attribute.toUpperCase(Locale.ROOT);
        return new CertificateIdentity("subject:" + upper, upper, -1);
    }

    /** The subject alternative names of type {@code dns}, {@code uri} or {@code email}. */
    public static CertificateIdentity subjectAlternativeName(String type) {
        Integer code = SAN_TYPES.get(requireNonNull(type, "type").toLowerCase(Locale.ROOT));
        checkArgument(code != null, "san: %s (expected: dns, uri or email)", type);
        return new CertificateIdentity("san:" + type.toLowerCase(Locale.ROOT), "", code);
    }

    /** {@code subject:CN}, {@code subject:OU}, {@code san:dns}, {@code san:uri} or {@code san:email}. */
    public static CertificateIdentity parse(String spec) {
        requireNonNull(spec, "spec");
        int colon = spec.indexOf(':');
        String kind = colon < 0 ? "" : spec.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = spec.substring(colon + 1);
        checkArgument(
                kind.equals("subject") && !rest.isEmpty()
                        || kind.equals("san") && SAN_TYPES.containsKey(rest.toLowerCase(Locale.ROOT)),
                "identity: %s (expected: subject:CN, subject:<attribute>, san:dns, san:uri or san:email)",
                spec);
        return kind.equals("subject") ? subjectAttribute(rest) : subjectAlternativeName(rest);
    }

    /** The candidate values in the certificate, most specific first; empty when it has none of this kind. */
    List<String> values(X509Certificate certificate) throws CertificateParsingException {
        return sanType < 0 ? subjectValues(certificate.getSubjectX500Principal()) : sanValues(certificate);
    }

    private List<String> subjectValues(X500Principal subject) throws CertificateParsingException {
        LdapName name;
        try {
            name = new LdapName(subject.getName(X500Principal.RFC2253));
        } catch (InvalidNameException e) {
            throw new CertificateParsingException("subject " + e.getMessage(), e);
        }
        List<String> values = new ArrayList<>(1);
        List<Rdn> rdns = name.getRdns();
        // LdapName lists the RDNs from the right; the most specific is the leftmost.
        for (int i = rdns.size() - 1; i >= 0; i--) {
            Rdn rdn = rdns.get(i);
            if (rdn.getType().equalsIgnoreCase(attribute) && rdn.getValue() instanceof String value) {
                values.add(value);
            }
        }
        return values;
    }

    private List<String> sanValues(X509Certificate certificate) throws CertificateParsingException {
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        if (names == null) {
            return List.of();
        }
        List<String> values = new ArrayList<>(1);
        for (List<?> name : names) {
            if (name.size() == 2
                    && name.get(0) instanceof Integer type
                    && type == sanType
                    && name.get(1) instanceof String value) {
                values.add(value);
            }
        }
        return values;
    }

    @Override
    public String toString() {
        return spec;
    }
}
