/** The page for a path no route knows. */
import { useI18n } from "../i18n/index.tsx";
import { Link } from "../router.tsx";
import { PageHeader } from "../ui/feedback.tsx";

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <>
      <PageHeader title={t("notFound.title")} />
      <Link href="/overview">{t("notFound.back")}</Link>
    </>
  );
}
