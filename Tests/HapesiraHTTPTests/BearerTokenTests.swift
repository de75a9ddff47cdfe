import Testing

@testable import HapesiraHTTP

@Suite("Authorization header")
struct BearerTokenTests {
    @Test(
        "the Bearer scheme is matched in any case and the token trimmed of spaces and tabs",
        arguments: [
            ("Bearer hps_a_b", "hps_a_b"), ("bearer hps_a_b", "hps_a_b"), ("BEARER  hps_a_b \t", "hps_a_b"),
            ("Bearer ", ""), ("Basic dXNlcjpwYXNz", nil), ("Bearer", nil), ("Bearerhps_a_b", nil), ("", nil),
            ("Bearer\thps_a_b", nil),
        ] as [(String, String?)])
    func bearerToken(header: String, token: String?) {
        #expect(BearerAuthMiddleware.bearerToken(header) == token)
    }
}
