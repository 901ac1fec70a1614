/** An application module using convt: {@code requires dev.convt} also resolves the Vector API. */
module com.example.upsample {
    requires dev.convt;
}
