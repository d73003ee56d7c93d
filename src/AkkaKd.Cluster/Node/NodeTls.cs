using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace AkkaKd.Cluster.Node;

/// <summary>
/// TLS between nodes, from <c>akkakd.tls</c>: this node's certificate with its private key (PKCS#12) and the CA that
/// every node's certificate must be signed by.
/// </summary>
public sealed record TlsFiles(string Certificate, string Password, string Ca);

/// <summary>A TLS setting that cannot be used: the message names the setting and the file.</summary>
public sealed class TlsSettingException(string message) : Exception(message);

/// <summary>TLS between nodes: which files a node's settings name, and Akka.Remote's mutual TLS for them.</summary>
public static class NodeTls
{
    /// <summary>The TLS files of a node's settings; null when <c>akkakd.tls.certificate</c> is empty (TLS off).</summary>
    public static TlsFiles? Files(Config config)
    {
        string Get(string key) => config.GetString("akkakd.tls." + key, "") ?? "";
        if (string.IsNullOrWhiteSpace(Get("certificate"))) return null;
        if (string.IsNullOrWhiteSpace(Get("ca")))
            throw new TlsSettingException("akkakd.tls.ca (AKKAKD_TLS_CA): TLS needs the CA certificate that signs every node's certificate");
        return new TlsFiles(Get("certificate"), Get("password"), Get("ca"));
    }

    /// <summary>
    /// Akka.Remote's TLS for these files: this node presents its certificate on every connection, in and out
    /// (Akka's require-mutual-authentication), and accepts a peer only if the peer's certificate chains to the CA
    /// (<see cref="SignedBy"/>). Throws <see cref="TlsSettingException"/> naming the file that cannot be used.
    /// </summary>
    public static DotNettySslSetup SslSetup(TlsFiles tls)
    {
        if (!File.Exists(tls.Ca)) throw new TlsSettingException($"akkakd.tls.ca (AKKAKD_TLS_CA): {tls.Ca}: file not found");
        if (!File.Exists(tls.Certificate))
            throw new TlsSettingException($"akkakd.tls.certificate (AKKAKD_TLS_CERT): {tls.Certificate}: file not found");
        X509Certificate2 ca, own;
        try
        {
            ca = X509CertificateLoader.LoadCertificateFromFile(tls.Ca);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new TlsSettingException($"akkakd.tls.ca (AKKAKD_TLS_CA): {tls.Ca}: {Reason(e, "not a certificate (PEM or DER)")}");
        }
        try
        {
            own = X509CertificateLoader.LoadPkcs12FromFile(tls.Certificate, tls.Password);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new TlsSettingException($"akkakd.tls.certificate (AKKAKD_TLS_CERT): {tls.Certificate}: " +
                                          Reason(e, "not a PKCS#12 file, or the password (akkakd.tls.password, AKKAKD_TLS_PASSWORD) is wrong"));
        }
        if (!own.HasPrivateKey)
            throw new TlsSettingException($"akkakd.tls.certificate (AKKAKD_TLS_CERT): {tls.Certificate}: holds no private key");
        if (Untrusted(own, null, ca) is { } why)
            throw new TlsSettingException($"akkakd.tls.certificate (AKKAKD_TLS_CERT): {tls.Certificate}: not usable with the CA {tls.Ca}: {why}");
        return new DotNettySslSetup(own, suppressValidation: false, requireMutualAuthentication: true, validateCertificateHostname: false,
            customValidator: SignedBy(ca));

        static string Reason(Exception e, string otherwise) => e is CryptographicException ? otherwise : e.Message;
    }

    /// <summary>
    /// Accepts a peer's certificate only if it chains to <paramref name="ca"/> (and to nothing else: the system's
    /// trust store plays no part), is within its validity dates and may serve as both TLS server and client. The
    /// peer's name is not checked: any certificate of the CA is a cluster member.
    /// </summary>
    public static CertificateValidationCallback SignedBy(X509Certificate2 ca) => (certificate, chain, peer, _, log) =>
    {
        var why = certificate == null ? "it presented no certificate" : Untrusted(certificate, chain, ca);
        if (why == null) return true;
        log.Warning("TLS: refused the connection with {0}: {1} ({2})", peer, why, certificate?.Subject ?? "-");
        return false;
    };

    /// <summary>Why a certificate is not accepted, or null if it chains to the CA.</summary>
    private static string? Untrusted(X509Certificate2 certificate, X509Chain? presented, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.1")); // TLS server authentication
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2")); // TLS client authentication
        // Intermediate certificates the peer sent along (they only help to build the chain; they are not trusted).
        if (presented != null)
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        if (chain.Build(certificate)) return null;
        var status = chain.ChainStatus.Select(s => s.Status).Where(s => s != X509ChainStatusFlags.NoError).Distinct().ToList();
        if (status.Contains(X509ChainStatusFlags.UntrustedRoot) || status.Contains(X509ChainStatusFlags.PartialChain))
            return $"not signed by the cluster CA (issuer: {certificate.Issuer})";
        return string.Join(", ", status.Select(s => s switch
        {
            X509ChainStatusFlags.NotTimeValid => $"expired or not yet valid ({certificate.NotBefore:u} to {certificate.NotAfter:u})",
            X509ChainStatusFlags.NotValidForUsage => "not made for both TLS server and client use (extendedKeyUsage serverAuth, clientAuth)",
            _ => s.ToString(),
        }));
    }
}
