import Testing

@testable import ObjectStore

/// XXH3 vectors from the reference implementation (as the SDK's awscrt computes them), over
/// the pattern bytes (i × 7 + 3) mod 256, at every length class of the algorithm.
struct XXHash3Tests {
    static func data(_ count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) } }

    static let vectors: [(Int, UInt64, String)] = [
        (0, 0x2d06_8005_38d3_94c2, "99aa06d3014798d86001c324468d497f"),
        (1, 0x13e6_08bc_156d_efed, "22bbb76b211a39ba13e608bc156defed"),
        (2, 0x1c90_74b9_3943_b86c, "a6b9dd53b14487221c9074b93943b86c"),
        (3, 0xa908_8dda_485b_481c, "ce31763cbf8245a5a9088dda485b481c"),
        (4, 0x6d92_53b1_6c8b_1ed3, "47197970590746b1788a609154b0fe20"),
        (5, 0x9986_20e1_0e3a_4b37, "5787f33cbc36d4c8d3497975144f78a7"),
        (8, 0x6053_9db6_3047_1163, "e3bc8a5f461715553cd024e3d63a1588"),
        (9, 0xfeff_6683_61d7_23a8, "c72c88247a9a56d7eafab1c7f123109f"),
        (12, 0x6829_454b_e0cc_3199, "f7314c62630bc633381c69c9c2498dfa"),
        (16, 0xb8c8_59b0_f030_b585, "ce0b9647ab24f88460d75c5e47d40a24"),
        (17, 0x714a_0440_8e79_b80f, "bfd327edcc2fbd12eeed7654312a26d7"),
        (32, 0x19ff_4ee1_d6ba_1a55, "4f130f27ab6baf45d761fd22e8ad5262"),
        (33, 0x3e44_983a_d216_79c8, "d15b272993d9830f4193c535612ac940"),
        (64, 0x287e_b1fa_9e4b_e2c1, "fed953fe6a8b2b63aa549d72c69cd267"),
        (65, 0x8292_18de_4d79_8646, "9f5580903f79bec343622ea01271a860"),
        (96, 0xf084_e7cf_bc62_4743, "2a350495986db37a0ab63bcfbc907abb"),
        (97, 0x1daa_8327_1a8e_7b7c, "3ffe2e0f781d623c8d17d1afec22619e"),
        (128, 0x6742_5a03_6502_61bf, "1b1962a096bac78bc580008b6c92ac53"),
        (129, 0xc664_bf33_11c6_abc4, "293e4968c4619023bd91ce7ace4d385b"),
        (200, 0x746c_d002_5327_bf5b, "32200a52a918beaf380142cdd5843bbd"),
        (240, 0x6455_6dc6_b462_a6cf, "ad46c1021b076bc704e0b5f034bee80b"),
        (241, 0x8bea_dd3a_8874_fe17, "ac6c3492c3d6b45d8beadd3a8874fe17"),
        (1024, 0x9b81_661c_641c_72b1, "18bc0eaca9a336369b81661c641c72b1"),
        (1025, 0x806c_2072_ed71_3576, "bf447251cfa98d7c806c2072ed713576"),
        (2048, 0xabe6_0481_3ba6_2ed1, "f81f6e8f418d8075abe604813ba62ed1"),
        (2049, 0x55ae_d42c_9f15_54b6, "fc9da7340154dc6c55aed42c9f1554b6"),
        (5000, 0x799a_addd_7339_581d, "c98ae385d09887cc799aaddd7339581d"),
    ]

    static func hex(_ value: UInt64) -> String {
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    @Test(arguments: vectors.map(\.0))
    func everyLengthClass(_ length: Int) throws {
        let vector = try #require(Self.vectors.first { $0.0 == length })
        let input = Self.data(length)
        #expect(XXHash3.hash64(input) == vector.1)
        let wide = XXHash3.hash128(input)
        #expect(Self.hex(wide.high) + Self.hex(wide.low) == vector.2)
    }
}
