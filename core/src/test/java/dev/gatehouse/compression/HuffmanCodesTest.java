package dev.gatehouse.compression;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The trees of dynamic blocks; that they inflate is {@link WholeBodyDeflaterTest}'s part. */
class HuffmanCodesTest {
    private final HuffmanCodes codes = new HuffmanCodes();

    @Test
    void codeLengthsPastTheLimitAreFoldedBackIntoACompleteCode() {
        int[] fibonacci = new int[30];
        fibonacci[0] = 1;
        fibonacci[1] = 1;
        for (int i = 2; i < fibonacci.length; i++) {
            fibonacci[i] = fibonacci[i - 1] + fibonacci[i - 2]; // an unlimited Huffman code would be 29 bits deep
        }

        byte[] lengths = codes.lengths(fibonacci, 15);

        double kraft = 0;
        for (int i = 0; i < lengths.length; i++) {
            assertThat(lengths[i]).isBetween((byte) 1, (byte) 15);
            if (i > 0) {
                assertThat(lengths[i])
                        .as("a more frequent symbol never gets a longer code")
                        .isLessThanOrEqualTo(lengths[i - 1]);
            }
            kraft += Math.pow(2, -lengths[i]);
        }
        assertThat(kraft).as("every code used: complete, and decodable").isEqualTo(1.0);
    }

    @Test
    void aLoneSymbolStillGetsATreeOfTwoCodes() {
        int[] frequency = new int[30];
        frequency[7] = 100;

        byte[] lengths = codes.lengths(frequency, 15);

        assertThat(lengths[7]).isEqualTo((byte) 1);
        assertThat(lengths[0])
                .as("a code never sent, so that every inflater accepts the tree")
                .isEqualTo((byte) 1);
    }
}
