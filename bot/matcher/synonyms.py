"""Domain synonyms across Latvian and Russian, so different words for one idea meet.

People ask about pay as "alga", "atalgojums", "cik var nopelnīt", "зарплата", "доход",
"сколько платят": no spelling rule brings those together. Each group below is written
in natural spelling; at import every word is normalized and stemmed like any text, and
all stems of a group are replaced by the group's first stem. Knowledge questions and user
queries pass through the same map, so a group never needs to list inflected forms, only
different words (stems that the normalizer would not merge by itself).
"""

from __future__ import annotations

_GROUPS = """
alga algu algām atalgojums atalgojumu algas samaksa ienākumi ienākums nopelnīt nopelna pelnīt pelna
    zarplata зарплата зарплаты зарплату зп оклад доход доходы заработок зарабатывает
    заработать платят оплата оплаты получает получают salary pamatalga
pienākumi pienākums uzdevumi funkcijas funkcija обязанности обязанность задачи функции
    функционал
prasības prasība требования требование
īpašības īpašība rakstura качества качество черты характера
pieredze pieredzes опыт опыта стаж
izglītība izglītību diploms diplomu augstskola образование образования диплом вуз
    специальность specialitāte universitāte университет
kursi kursus apmācība apmācības mācības курсы обучение тренинги тренинг переподготовка
cv cv cvs резюме rezume
karjera karjeras izaugsme izaugsmi paaugstinājums карьера карьеры рост повышение
    перспективы продвижение
plusi pluss priekšrocības priekšrocība ieguvumi плюсы плюс преимущества достоинства
mīnusi mīnuss trūkumi trūkums nepilnības grūtības минусы минус недостатки трудности
    сложности
tiesības tiesībām права право
atbildība atbildību ответственность
apraksts instrukcija instrukciju инструкция инструкции
klienti klients klientu klientiem pircēji pircējs клиенты клиент клиентов клиентами
    клиентский клиентского
    покупатели покупатель заказчики заказчик
konkurenti konkurents konkurentu конкуренты конкурент конкурентов
tirgus tirgū рынок рынка рынке
produkti produkts produktu preces prece pakalpojumi pakalpojumu продукты продукт товары
    товар услуги услуга ассортимент sortiments klāsts
banka bankā bankas банк банке банка банковский
mobilo telefonu tālruņu мобильных телефонов салон
korporatīvie korporatīvo korporatīvajiem корпоративные корпоративных юрлиц
menedžeris pārvaldnieks vadītājs pārzinis менеджер менеджера управляющий manager
konta account аккаунт аккаунта
uzņēmums uzņēmumā uzņēmumam firma firmai kompānija компания компании фирма фирме
    организация предприятие
darbs darba darbu работа работы работу
pārdošana pārdošanas pārdot pārdod продажи продаж продавать продаёт продажник
atšķiras atšķirība atšķirīgs отличается отличие разница различие
datorprasmes dators datoru datora компьютер компьютером пк
programmas programmas programmatūra программы программ софт
sveiki labdien čau sveiks привет здравствуйте здравствуй добрый
paldies пасибо спасибо благодарю
atā uzredzēšanos пока свидания
vakance vakances vakancē sludinājums sludinājumi sludinājumos вакансия вакансии вакансиях
    объявление объявления объявлениях
zemākā mazākā minimālā минимальная низкая наименьшая минимум
augstākā lielākā maksimālā максимальная высокая наибольшая максимум
amats amatu amatā pozīcija должность должности позиция
pārdevējs pārdevēji konsultants продавец продавцы консультант консультанты
izdegšana izdeg izdegt выгорание выгорают выгорать
kliegt kliedz nepieklājīgs nepatīkams nepatīkamiem кричать кричат хамить хамит хамят хамство
    неприятный
sūdzība pretenzija reklamācija жалоба претензия рекламация
atlaide скидка скидок дисконт
līgums kontrakts kontrakti договор контракт
darījums сделка сделок
lojalitāte lojāls лояльность
atlaist atlaišana atbrīvot atbrīvošana uzteikt уволить увольнять увольняют увольнение
    освободить освобождение
iesācējs jaunpienācējs junior джуниор новичок новичков начинающий
sods sodi sodu sodīt sankcijas rājiens наказание наказать санкции штраф штрафы взыскание
    выговор
zaudējumi kaitējums ущерб убытки вред
nolaidība paviršība neuzmanība халатность небрежность невнимательность
jūtīgs ievainojams ранимый чувствительный обидчивый
kautrīgs kautrīgums bikls introverts застенчивый стеснительный интроверт
sabiedrisks sabiedriskums komunikabls общительный коммуникабельный
noturība izturība стрессоустойчивость стрессоустойчивый выносливость
kopētājs printeris skeneris ксерокс копир принтер сканер
pasts pasta epasts meils email почта имейл мейл
zvans zvanīt звонок звонки звонить
ārpakalpojums autsorsings outsourcing аутсорсинг аутсорс
priekšnieks šefs начальник руководитель шеф босс
izstāde izstāžu gadatirgus konference выставка выставок ярмарка ярмарок конференция
analīze izpēte pētījums анализ исследование исследовать
mērķauditorija auditorija аудитория
ārvalstu ārzemju ārzemēs иностранный зарубежный заграничный
kredīts kredītiem aizdevums кредит кредиты заём займ
noguldījums depozīts депозит депозиты вклад
vairumtirdzniecība vairumtirgotājs оптовый оптом оптовик
grūts grūti smags smagi тяжело тяжёлый
vecums возраст возрастные
nodaļa departaments отдел подразделение департамент
bāze bāzi база базу базы
angļu angliski английский англ
ikdiena будни повседневный
termiņš срок сроки дедлайн
piegāde поставка поставки доставка
definīcija jēdziens
segmentēšana segmentācija сегментация сегментирование
aizvietot aizstāt замещать замещает заменять заменяет
rīkojums pavēle приказ распоряжение
apgrozījums оборот оборота выручка
tiešsaiste online онлайн дистанционный
foto bilde фото фотка снимок
""".strip()

# Other occupations. A question about one of them ("Cik pelna pavārs?", "Какая зарплата у
# бухгалтера?") is out of domain even though it shares "salary" with our topics, so such a
# word weighs more than an ordinary unknown word. Occupations the knowledge base itself
# mentions (pārdevējs, jurists, direktors…) are known words and are never penalized.
FOREIGN_ROLES = """
pavārs pavāra šoferis šofera autovadītājs skolotājs skolotāja ārsts ārsta medmāsa
medmāsas programmētājs programmētāja grāmatvedis grāmatveža celtnieks celtnieka frizieris
friziera policists policista ugunsdzēsējs pilots stjuarte viesmīlis bārmenis oficiants
santehniķis elektriķis mehāniķis atslēdznieks galdnieks krāsotājs apkopēja sētnieks kurjers
zemnieks fermeris aktieris dziedātājs mūziķis žurnālists fotogrāfs dizainers arhitekts
inženieris farmaceits veterinārs zobārsts tulks bibliotekārs pastnieks
повар повара водитель водителя таксист учитель учителя врач врача медсестра медсестры
программист программиста бухгалтер бухгалтера строитель строителя парикмахер полицейский
пожарный пилот стюардесса официант бармен сантехник электрик механик слесарь плотник маляр
уборщица дворник курьер фермер актёр певец музыкант журналист фотограф дизайнер архитектор
инженер фармацевт ветеринар стоматолог переводчик библиотекарь почтальон грузчик охранник
сварщик кассир кассира kasieris kasiere kasiera
hr рекрутер рекрутёр rekrutētājs personālists маркетолог smm копирайтер юрист
сторож няня сиделка auklīte aukle psihologs психолог нотариус notārs advokāts адвокат
стилист визажист kosmetologs косметолог тренер treneris массажист masieris
воспитатель воспитателя audzinātājs audzinātāja
metinātājs metinātāja sekretāre sekretāres sekretārs секретарь секретаря секретарша
izstrādātājs izstrādātāja разработчик разработчика тестировщик testētājs analītiķis аналитик
logists логист noliktavnieks кладовщик комплектовщик
zobārsta farmaceita aptiekārs провизор фельдшер feldšeris ķirurgs хирург terapeits терапевт
šuvēja швея auklis pavārs-konditors konditors кондитер пекарь maiznieks miesnieks мясник
ekonomists экономист auditors аудитор налоговик arhivārs архивариус
tulkotājs gids экскурсовод гид ceļvedis taksists
barista бариста istabene горничная vecmāte акушерка laborants лаборант glābējs спасатель
кузнец mūrnieks каменщик кровельщик плиточник штукатур dārznieks садовник florists флорист
juvelieris ювелир drēbnieks портной kurpnieks сапожник dispečers диспетчер ekspeditors
экспедитор упаковщик монтажник traktorists тракторист mašīnists машинист tālbraucējs
дальнобойщик jūrnieks моряк matrozis karavīrs военнослужащий tiesnesis tiesneša prokurors
прокурор zinātnieks преподаватель преподавателя lektors лектор profesors профессор logopēds
логопед ģeodēzists геодезист agronoms агроном mežsargs лесник zvejnieks рыбак kalnracis
шахтёр režisors режиссёр продюсер mākslinieks художник rakstnieks писатель blogeris блогер
sistēmadministrators сисадмин pediatrs педиатр psihiatrs психиатр okulists окулист medbrālis
медбрат someljē сомелье animators аниматор kosmonauts космонавт manikīre маникюрша вахтёр
konsjeržs консьерж fizioterapeits физиотерапевт dietologs диетолог ginekologs гинеколог
kardiologs кардиолог
"""


# Other kinds of manager: "HR menedžeris", "project manager", "менеджер по персоналу" are
# different jobs, though they share the word "manager" with ours (sales and key-account
# managers are ours and are not listed).
OTHER_MANAGERS = """
hr smm pr it project projekt projektu проект проектам проектов product produkta
personāla персонал персоналу office ofisa офис офиса iepirkumu закупкам закупок
loģistikas логистике логистика restorāna ресторана event ивент pasākumu мероприятий
mārketinga маркетингу маркетинга reklāmas рекламе рекламы tūrisma туризму туризма
community kopienas комьюнити контента satura content
"""


def build_map(normalize) -> dict[str, str]:
    """stem → group head, using the caller's tokenizer+stemmer (avoids an import cycle)."""
    mapping: dict[str, str] = {}
    groups: list[list[str]] = []
    for line in _GROUPS.splitlines():
        if line.startswith("    ") and groups:
            groups[-1].extend(line.split())
        elif line.strip():
            groups.append(line.split())
    for words in groups:
        stems = [s for w in words for s in normalize(w)]
        if not stems:
            continue
        head = stems[0]
        for s in stems:
            mapping.setdefault(s, head)
    return mapping
