package dev.gatehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpNetworkTest {
    @ParameterizedTest(name = "{0} holds {1}: {2}")
    @CsvSource({
        "10.0.0.0/8, 10.255.0.1, true",
        "10.0.0.0/8, 11.0.0.1, false",
        "192.0.2.7, 192.0.2.7, true",
        "192.0.2.7, 192.0.2.8, false",
        "0.0.0.0/0, 203.0.113.9, true",
        "0.0.0.0/0, 2001:db8::1, false",
        "172.16.0.0/12, 172.31.255.255, true",
        "172.16.0.0/12, 172.32.0.0, false",
        "2001:db8::/32, 2001:db8:ffff::1, true",
        "2001:db8::/32, [2001:db8::1], true",
        "::/0, ::1, true",
        "::1, 0:0:0:0:0:0:0:1, true",
        "::ffff:10.0.0.0/104, 10.1.1.1, true",
        "10.0.0.0/8, ::ffff:10.1.1.1, true",
        "10.0.0.0/8, ::ffff:a01:101, true",
        "10.0.0.0/8, 10.1.1, false",
        "10.0.0.0/8, 10.1.1.256, false",
        "10.0.0.0/8, 10.01.1.1, false",
        "10.0.0.0/8, localhost, false"
    })
    void holdsTheAddressesOfItsPrefix(String network, String address, boolean expected) {
        assertThat(IpNetwork.parse(network).contains(address)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"10.1.2.3, 10.0.0.0/8", "192.0.2.1, 192.0.2.0/24", "198.51.100.1, -"})
    void findsTheFirstNetworkHoldingAnAddress(String address, String expected) {
        List<IpNetwork> networks = List.of(IpNetwork.parse("10.0.0.0/8"), IpNetwork.parse("192.0.2.0/24"));

        assertThat(IpNetwork.firstContaining(networks, address).map(IpNetwork::toString))
                .isEqualTo(expected.equals("-") ? java.util.Optional.empty() : java.util.Optional.of(expected));
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                "1:2:3:4:5:6:7:8",
                "1::8",
                "::",
                "::1",
                "1::",
                "1:2:3:4:5:6:7::",
                "::2:3:4:5:6:7:8",
                "FE80::1:ABCD",
                "2001:db8:0:0:1:0:0:1",
                "::ffff:192.0.2.1",
                "::ffff:c000:201",
                "64:ff9b::192.0.2.1",
                "::192.0.2.1",
                "[2001:db8::1]"
            })
    void parsesIpv6LiteralsAsTheJdkDoes(String literal) throws Exception {
        String bare = literal.replace("[", "").replace("]", "");

        assertThat(IpNetwork.literal(literal))
                .isEqualTo(java.net.InetAddress.getByName(bare).getAddress());
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                ":::",
                "1:",
                ":1",
                "1:2:3:4:5:6:7:8:9",
                "1::2::3",
                "12345::",
                "1:2:3:4:5:6:7:8::",
                "::1.2.3",
                "::1.2.3.4:5",
                "::256.1.1.1",
                "g::1",
                "\uff11::1",
                "fe80::1%eth0",
                "1.2.3.4.5",
                "01.2.3.4"
            })
    void refusesWhatIsNotAnAddressLiteral(String text) {
        assertThat(IpNetwork.literal(text)).isNull();
    }
}
