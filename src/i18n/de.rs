//! German (Deutsch), the second locale: proves the mechanism and is complete.

use super::Text::{self, *};

pub fn text(key: Text) -> &'static str {
    match key {
        SignInTitle => "Anmelden",
        SignInLead => "um mit {client} fortzufahren",
        EmailLabel => "E-Mail-Adresse",
        PasswordLabel => "Passwort",
        SignInButton => "Anmelden",
        Or => "oder",
        PasskeySignIn => "Mit einem Passkey anmelden",
        SecondFactorTitle => "Bestätigen Sie, dass Sie es sind",
        SecondFactorLead => "Ihr Konto ist mit einem zweiten Faktor geschützt.",
        CodeLabel => "Code aus Ihrer Authenticator-App oder ein Backup-Code",
        ContinueButton => "Weiter",
        PasskeyUse => "Passkey verwenden",
        ConsentTitle => "Zugriff erlauben?",
        ConsentLead => "{client} möchte Ihr Konto {email} verwenden:",
        AllowButton => "Erlauben",
        DenyButton => "Ablehnen",
        ErrorTitle => "Diese Anmeldung kann nicht fortgesetzt werden",
        ErrorAdvice => "Kehren Sie zur Anwendung zurück und versuchen Sie es erneut.",
        ErrorDetails => "Details für die Entwickler der Anwendung",
        ErrorCode => "Fehlercode:",
        ErrInvalidClient => "Diese Anwendung ist hier nicht registriert oder deaktiviert.",
        ErrInvalidRequest => "Die Anwendung hat eine Anmeldeanfrage gesendet, die nicht angenommen werden kann.",
        ErrExpired => {
            "Diese Anmeldung ist abgelaufen oder wurde schon verwendet. Beginnen Sie erneut in der Anwendung."
        }
        ErrForeign => {
            "Diese Anmeldung wurde in einem anderen Browser begonnen, oder das Formular stammt nicht von dieser Seite."
        }
        ErrGeneric => "Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.",
        WrongPassword => "E-Mail-Adresse oder Passwort ist falsch. Noch {n} Versuche bis zur Sperre.",
        Locked => "Zu viele Versuche: Versuchen Sie es in {n} Minuten erneut.",
        WrongCode => {
            "Dieser Code hat nicht funktioniert. Verwenden Sie einen neuen Code aus Ihrer Authenticator-App \
             oder einen unbenutzten Backup-Code."
        }
        WrongCodeLeft => "Dieser Code hat nicht funktioniert. Noch {n} Versuche bis zur Sperre.",
        AccountDisabled => "Mit diesem Konto ist hier keine Anmeldung möglich.",
        CheckInput => "Prüfen Sie Ihre Eingabe und versuchen Sie es erneut.",
        PasskeyFailed => {
            "Der Passkey hat nicht funktioniert. Versuchen Sie es erneut, oder melden Sie sich mit Ihrem Passwort an."
        }
        PasskeyCancelled => "Die Passkey-Anfrage wurde abgebrochen oder ist abgelaufen.",
        FormPostTitle => "Zurück zur Anwendung …",
        SignedOutTitle => "Sie sind abgemeldet",
        SignedOutBody => "Sie können dieses Fenster schließen.",
        ScopeOpenid => "Sie mit Ihrem Konto anmelden",
        ScopeProfile => "Ihren Namen sehen",
        ScopeEmail => "Ihre E-Mail-Adresse sehen",
        ScopeOfflineAccess => "Angemeldet bleiben, auch wenn Sie die Anwendung nicht verwenden",
        ScopeRoles => "Ihre Rollen sehen",
        ScopeGroups => "Ihre Gruppen sehen",
        ScopeRole => "Mit Ihrer Rolle „{role}“ handeln",
        ScopeAction => "{action} auf {resource}",
        ScopeOther => "„{scope}“ verwenden",
    }
}
