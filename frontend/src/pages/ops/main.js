import "../../lib/base.css";
import { mountHeader } from "../../lib/header.js";
import { applyTranslations } from "../../lib/i18n.js";

mountHeader({ titleKey: "app.name", staff: true, theme: "dark" });
applyTranslations();
