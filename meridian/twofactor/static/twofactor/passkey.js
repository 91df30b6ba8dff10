// Once django-otp-webauthn's script has registered a passkey, tell the server (recovery codes on the first
// device) by submitting the page's small hidden form.
document.addEventListener("otp_webauthn.register_complete", () => {
  const form = document.getElementById("passkey-added-form");
  if (form) form.submit();
});
