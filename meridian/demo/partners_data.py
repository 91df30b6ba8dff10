# ruff: noqa: E501
"""Real partner organisations for the demo data set, written down as facts.

Each row: official name, English name, Chinese name, acronym, type, country (ISO 3166-1), province / state, city,
latitude and longitude of the main site, website. Official names are given in the local language where the
institution uses one; English and Chinese names are the ones in common use.
"""

from typing import NamedTuple


class Fact(NamedTuple):
    name: str
    name_en: str
    name_zh: str
    acronym: str
    kind: str
    country: str
    province: str
    city: str
    latitude: float
    longitude: float
    website: str


U = "university"
R = "research_institute"
E = "enterprise"
G = "government"
I = "international_organisation"  # noqa: E741
F = "foundation"
H = "hospital"

# One organisation per line reads best as a table.
# fmt: off
PARTNERS: list[Fact] = [
    # United States
    Fact("Massachusetts Institute of Technology", "Massachusetts Institute of Technology", "麻省理工学院", "MIT", U, "US", "Massachusetts", "Cambridge", 42.3601, -71.0942, "https://www.mit.edu"),
    Fact("Stanford University", "Stanford University", "斯坦福大学", "", U, "US", "California", "Stanford", 37.4275, -122.1697, "https://www.stanford.edu"),
    Fact("Harvard University", "Harvard University", "哈佛大学", "", U, "US", "Massachusetts", "Cambridge", 42.3770, -71.1167, "https://www.harvard.edu"),
    Fact("University of California, Berkeley", "University of California, Berkeley", "加州大学伯克利分校", "UC Berkeley", U, "US", "California", "Berkeley", 37.8719, -122.2585, "https://www.berkeley.edu"),
    Fact("University of Michigan", "University of Michigan", "密歇根大学", "U-M", U, "US", "Michigan", "Ann Arbor", 42.2780, -83.7382, "https://umich.edu"),
    Fact("University of Washington", "University of Washington", "华盛顿大学", "UW", U, "US", "Washington", "Seattle", 47.6553, -122.3035, "https://www.washington.edu"),
    Fact("University of Illinois Urbana-Champaign", "University of Illinois Urbana-Champaign", "伊利诺伊大学厄巴纳-香槟分校", "UIUC", U, "US", "Illinois", "Urbana", 40.1020, -88.2272, "https://illinois.edu"),
    Fact("Georgia Institute of Technology", "Georgia Institute of Technology", "佐治亚理工学院", "Georgia Tech", U, "US", "Georgia", "Atlanta", 33.7756, -84.3963, "https://www.gatech.edu"),
    Fact("Mayo Clinic", "Mayo Clinic", "梅奥诊所", "", H, "US", "Minnesota", "Rochester", 44.0225, -92.4668, "https://www.mayoclinic.org"),
    Fact("Gates Foundation", "Gates Foundation", "盖茨基金会", "", F, "US", "Washington", "Seattle", 47.6235, -122.3466, "https://www.gatesfoundation.org"),
    Fact("National Institutes of Health", "National Institutes of Health", "美国国立卫生研究院", "NIH", G, "US", "Maryland", "Bethesda", 38.9995, -77.1034, "https://www.nih.gov"),
    Fact("Intel Corporation", "Intel Corporation", "英特尔公司", "Intel", E, "US", "California", "Santa Clara", 37.3875, -121.9637, "https://www.intel.com"),
    Fact("The World Bank", "The World Bank", "世界银行", "", I, "US", "District of Columbia", "Washington", 38.8990, -77.0425, "https://www.worldbank.org"),
    # Russia
    Fact("Московский государственный университет имени М. В. Ломоносова", "Lomonosov Moscow State University", "莫斯科国立大学", "MSU", U, "RU", "Moscow", "Moscow", 55.7033, 37.5302, "https://msu.ru"),
    Fact("Санкт-Петербургский государственный университет", "Saint Petersburg State University", "圣彼得堡国立大学", "SPbU", U, "RU", "Saint Petersburg", "Saint Petersburg", 59.9418, 30.2989, "https://spbu.ru"),
    Fact("Московский государственный технический университет имени Н. Э. Баумана", "Bauman Moscow State Technical University", "莫斯科国立鲍曼技术大学", "BMSTU", U, "RU", "Moscow", "Moscow", 55.7660, 37.6850, "https://bmstu.ru"),
    Fact("Новосибирский государственный университет", "Novosibirsk State University", "新西伯利亚国立大学", "NSU", U, "RU", "Novosibirsk Oblast", "Novosibirsk", 54.8430, 83.0930, "https://www.nsu.ru"),
    Fact("Национальный исследовательский Томский государственный университет", "Tomsk State University", "托木斯克国立大学", "TSU", U, "RU", "Tomsk Oblast", "Tomsk", 56.4692, 84.9479, "https://www.tsu.ru"),
    Fact("Московский физико-технический институт", "Moscow Institute of Physics and Technology", "莫斯科物理技术学院", "MIPT", U, "RU", "Moscow Oblast", "Dolgoprudny", 55.9297, 37.5208, "https://mipt.ru"),
    Fact("Университет ИТМО", "ITMO University", "ITMO大学", "ITMO", U, "RU", "Saint Petersburg", "Saint Petersburg", 59.9570, 30.3083, "https://itmo.ru"),
    Fact("Национальный исследовательский университет «Высшая школа экономики»", "HSE University", "俄罗斯国立高等经济大学", "HSE", U, "RU", "Moscow", "Moscow", 55.7616, 37.6330, "https://www.hse.ru"),
    Fact("Российская академия наук", "Russian Academy of Sciences", "俄罗斯科学院", "RAS", R, "RU", "Moscow", "Moscow", 55.7107, 37.5855, "https://www.ras.ru"),
    Fact("Объединённый институт ядерных исследований", "Joint Institute for Nuclear Research", "联合原子核研究所", "JINR", I, "RU", "Moscow Oblast", "Dubna", 56.7460, 37.1900, "https://www.jinr.ru"),
    # United Kingdom
    Fact("University of Oxford", "University of Oxford", "牛津大学", "", U, "GB", "England", "Oxford", 51.7548, -1.2544, "https://www.ox.ac.uk"),
    Fact("University of Cambridge", "University of Cambridge", "剑桥大学", "", U, "GB", "England", "Cambridge", 52.2043, 0.1149, "https://www.cam.ac.uk"),
    Fact("Imperial College London", "Imperial College London", "帝国理工学院", "", U, "GB", "England", "London", 51.4988, -0.1749, "https://www.imperial.ac.uk"),
    Fact("University College London", "University College London", "伦敦大学学院", "UCL", U, "GB", "England", "London", 51.5246, -0.1340, "https://www.ucl.ac.uk"),
    Fact("The University of Edinburgh", "The University of Edinburgh", "爱丁堡大学", "", U, "GB", "Scotland", "Edinburgh", 55.9445, -3.1892, "https://www.ed.ac.uk"),
    Fact("The University of Manchester", "The University of Manchester", "曼彻斯特大学", "", U, "GB", "England", "Manchester", 53.4668, -2.2339, "https://www.manchester.ac.uk"),
    Fact("British Council", "British Council", "英国文化协会", "", G, "GB", "England", "London", 51.5430, -0.0060, "https://www.britishcouncil.org"),
    Fact("Wellcome Trust", "Wellcome Trust", "惠康基金会", "", F, "GB", "England", "London", 51.5256, -0.1350, "https://wellcome.org"),
    # France
    Fact("Sorbonne Université", "Sorbonne University", "索邦大学", "", U, "FR", "Île-de-France", "Paris", 48.8466, 2.3566, "https://www.sorbonne-universite.fr"),
    Fact("Université Paris-Saclay", "Paris-Saclay University", "巴黎-萨克雷大学", "", U, "FR", "Île-de-France", "Orsay", 48.7010, 2.1710, "https://www.universite-paris-saclay.fr"),
    Fact("École polytechnique", "École Polytechnique", "巴黎综合理工学院", "X", U, "FR", "Île-de-France", "Palaiseau", 48.7133, 2.2090, "https://www.polytechnique.edu"),
    Fact("Université Grenoble Alpes", "Grenoble Alpes University", "格勒诺布尔-阿尔卑斯大学", "UGA", U, "FR", "Auvergne-Rhône-Alpes", "Saint-Martin-d'Hères", 45.1908, 5.7670, "https://www.univ-grenoble-alpes.fr"),
    Fact("Centre national de la recherche scientifique", "French National Centre for Scientific Research", "法国国家科学研究中心", "CNRS", R, "FR", "Île-de-France", "Paris", 48.8481, 2.2637, "https://www.cnrs.fr"),
    Fact("Institut Pasteur", "Pasteur Institute", "巴斯德研究所", "", R, "FR", "Île-de-France", "Paris", 48.8402, 2.3113, "https://www.pasteur.fr"),
    Fact("Organisation des Nations Unies pour l'éducation, la science et la culture", "United Nations Educational, Scientific and Cultural Organization", "联合国教育、科学及文化组织", "UNESCO", I, "FR", "Île-de-France", "Paris", 48.8497, 2.3064, "https://www.unesco.org"),
    Fact("Organisation de coopération et de développement économiques", "Organisation for Economic Co-operation and Development", "经济合作与发展组织", "OECD", I, "FR", "Île-de-France", "Paris", 48.8617, 2.2697, "https://www.oecd.org"),
    # Germany
    Fact("Ruprecht-Karls-Universität Heidelberg", "Heidelberg University", "海德堡大学", "", U, "DE", "Baden-Württemberg", "Heidelberg", 49.4106, 8.7067, "https://www.uni-heidelberg.de"),
    Fact("Technische Universität München", "Technical University of Munich", "慕尼黑工业大学", "TUM", U, "DE", "Bavaria", "Munich", 48.1497, 11.5679, "https://www.tum.de"),
    Fact("Ludwig-Maximilians-Universität München", "LMU Munich", "慕尼黑大学", "LMU", U, "DE", "Bavaria", "Munich", 48.1508, 11.5803, "https://www.lmu.de"),
    Fact("Rheinisch-Westfälische Technische Hochschule Aachen", "RWTH Aachen University", "亚琛工业大学", "RWTH", U, "DE", "North Rhine-Westphalia", "Aachen", 50.7778, 6.0778, "https://www.rwth-aachen.de"),
    Fact("Humboldt-Universität zu Berlin", "Humboldt University of Berlin", "柏林洪堡大学", "HU", U, "DE", "Berlin", "Berlin", 52.5179, 13.3936, "https://www.hu-berlin.de"),
    Fact("Karlsruher Institut für Technologie", "Karlsruhe Institute of Technology", "卡尔斯鲁厄理工学院", "KIT", U, "DE", "Baden-Württemberg", "Karlsruhe", 49.0094, 8.4116, "https://www.kit.edu"),
    Fact("Max-Planck-Gesellschaft zur Förderung der Wissenschaften", "Max Planck Society", "马克斯·普朗克学会", "MPG", R, "DE", "Bavaria", "Munich", 48.1430, 11.5812, "https://www.mpg.de"),
    Fact("Fraunhofer-Gesellschaft zur Förderung der angewandten Forschung", "Fraunhofer Society", "弗劳恩霍夫协会", "", R, "DE", "Bavaria", "Munich", 48.1318, 11.5323, "https://www.fraunhofer.de"),
    Fact("Deutscher Akademischer Austauschdienst", "German Academic Exchange Service", "德意志学术交流中心", "DAAD", G, "DE", "North Rhine-Westphalia", "Bonn", 50.7026, 7.1480, "https://www.daad.de"),
    Fact("Alexander von Humboldt-Stiftung", "Alexander von Humboldt Foundation", "洪堡基金会", "AvH", F, "DE", "North Rhine-Westphalia", "Bonn", 50.6950, 7.1500, "https://www.humboldt-foundation.de"),
    Fact("Siemens AG", "Siemens", "西门子股份公司", "", E, "DE", "Bavaria", "Munich", 48.1438, 11.5714, "https://www.siemens.com"),
    Fact("Charité – Universitätsmedizin Berlin", "Charité – Berlin University Medicine", "柏林夏里特医学院", "", H, "DE", "Berlin", "Berlin", 52.5259, 13.3777, "https://www.charite.de"),
    # Canada
    Fact("University of Toronto", "University of Toronto", "多伦多大学", "U of T", U, "CA", "Ontario", "Toronto", 43.6629, -79.3957, "https://www.utoronto.ca"),
    Fact("McGill University", "McGill University", "麦吉尔大学", "", U, "CA", "Quebec", "Montreal", 45.5048, -73.5772, "https://www.mcgill.ca"),
    Fact("The University of British Columbia", "The University of British Columbia", "不列颠哥伦比亚大学", "UBC", U, "CA", "British Columbia", "Vancouver", 49.2606, -123.2460, "https://www.ubc.ca"),
    Fact("University of Waterloo", "University of Waterloo", "滑铁卢大学", "", U, "CA", "Ontario", "Waterloo", 43.4723, -80.5449, "https://uwaterloo.ca"),
    Fact("National Research Council Canada", "National Research Council Canada", "加拿大国家研究委员会", "NRC", G, "CA", "Ontario", "Ottawa", 45.4451, -75.6189, "https://nrc.canada.ca"),
    # Australia
    Fact("The University of Melbourne", "The University of Melbourne", "墨尔本大学", "", U, "AU", "Victoria", "Melbourne", -37.7963, 144.9614, "https://www.unimelb.edu.au"),
    Fact("The University of Sydney", "The University of Sydney", "悉尼大学", "", U, "AU", "New South Wales", "Sydney", -33.8886, 151.1873, "https://www.sydney.edu.au"),
    Fact("The Australian National University", "The Australian National University", "澳大利亚国立大学", "ANU", U, "AU", "Australian Capital Territory", "Canberra", -35.2777, 149.1185, "https://www.anu.edu.au"),
    Fact("The University of Queensland", "The University of Queensland", "昆士兰大学", "UQ", U, "AU", "Queensland", "Brisbane", -27.4975, 153.0137, "https://www.uq.edu.au"),
    Fact("Monash University", "Monash University", "莫纳什大学", "", U, "AU", "Victoria", "Melbourne", -37.9105, 145.1362, "https://www.monash.edu"),
    Fact("The University of New South Wales", "UNSW Sydney", "新南威尔士大学", "UNSW", U, "AU", "New South Wales", "Sydney", -33.9173, 151.2313, "https://www.unsw.edu.au"),
    Fact("Commonwealth Scientific and Industrial Research Organisation", "CSIRO", "澳大利亚联邦科学与工业研究组织", "CSIRO", R, "AU", "Australian Capital Territory", "Canberra", -35.2753, 149.1133, "https://www.csiro.au"),
    Fact("Department of Education", "Australian Government Department of Education", "澳大利亚政府教育部", "", G, "AU", "Australian Capital Territory", "Canberra", -35.2809, 149.1300, "https://www.education.gov.au"),
    # New Zealand
    Fact("The University of Auckland", "The University of Auckland", "奥克兰大学", "", U, "NZ", "Auckland", "Auckland", -36.8523, 174.7691, "https://www.auckland.ac.nz"),
    Fact("Te Herenga Waka — Victoria University of Wellington", "Victoria University of Wellington", "惠灵顿维多利亚大学", "", U, "NZ", "Wellington", "Wellington", -41.2901, 174.7682, "https://www.wgtn.ac.nz"),
    Fact("University of Otago", "University of Otago", "奥塔哥大学", "", U, "NZ", "Otago", "Dunedin", -45.8650, 170.5140, "https://www.otago.ac.nz"),
    Fact("University of Canterbury", "University of Canterbury", "坎特伯雷大学", "", U, "NZ", "Canterbury", "Christchurch", -43.5225, 172.5794, "https://www.canterbury.ac.nz"),
    Fact("Massey University", "Massey University", "梅西大学", "", U, "NZ", "Manawatū-Whanganui", "Palmerston North", -40.3854, 175.6189, "https://www.massey.ac.nz"),
    Fact("Lincoln University", "Lincoln University", "林肯大学", "", U, "NZ", "Canterbury", "Lincoln", -43.6437, 172.4630, "https://www.lincoln.ac.nz"),
    # South Korea
    Fact("서울대학교", "Seoul National University", "首尔大学", "SNU", U, "KR", "Seoul", "Seoul", 37.4600, 126.9519, "https://www.snu.ac.kr"),
    Fact("한국과학기술원", "Korea Advanced Institute of Science and Technology", "韩国科学技术院", "KAIST", U, "KR", "Daejeon", "Daejeon", 36.3721, 127.3604, "https://www.kaist.ac.kr"),
    Fact("연세대학교", "Yonsei University", "延世大学", "", U, "KR", "Seoul", "Seoul", 37.5658, 126.9386, "https://www.yonsei.ac.kr"),
    Fact("고려대학교", "Korea University", "高丽大学", "", U, "KR", "Seoul", "Seoul", 37.5894, 127.0323, "https://www.korea.ac.kr"),
    Fact("포항공과대학교", "Pohang University of Science and Technology", "浦项工科大学", "POSTECH", U, "KR", "North Gyeongsang", "Pohang", 36.0136, 129.3217, "https://www.postech.ac.kr"),
    Fact("한국과학기술연구원", "Korea Institute of Science and Technology", "韩国科学技术研究院", "KIST", R, "KR", "Seoul", "Seoul", 37.6028, 127.0457, "https://www.kist.re.kr"),
    Fact("한국연구재단", "National Research Foundation of Korea", "韩国研究财团", "NRF", G, "KR", "Daejeon", "Daejeon", 36.3870, 127.3730, "https://www.nrf.re.kr"),
    Fact("서울대학교병원", "Seoul National University Hospital", "首尔大学医院", "SNUH", H, "KR", "Seoul", "Seoul", 37.5796, 126.9990, "https://www.snuh.org"),
    Fact("삼성전자 주식회사", "Samsung Electronics", "三星电子", "", E, "KR", "Gyeonggi", "Suwon", 37.2586, 127.0560, "https://www.samsung.com"),
    # Japan
    Fact("東京大学", "The University of Tokyo", "东京大学", "UTokyo", U, "JP", "Tokyo", "Tokyo", 35.7126, 139.7620, "https://www.u-tokyo.ac.jp"),
    Fact("京都大学", "Kyoto University", "京都大学", "", U, "JP", "Kyoto", "Kyoto", 35.0262, 135.7808, "https://www.kyoto-u.ac.jp"),
    Fact("大阪大学", "Osaka University", "大阪大学", "", U, "JP", "Osaka", "Suita", 34.8221, 135.5245, "https://www.osaka-u.ac.jp"),
    Fact("東北大学", "Tohoku University", "东北大学（日本）", "", U, "JP", "Miyagi", "Sendai", 38.2535, 140.8747, "https://www.tohoku.ac.jp"),
    Fact("東京科学大学", "Institute of Science Tokyo", "东京科学大学", "Science Tokyo", U, "JP", "Tokyo", "Tokyo", 35.6050, 139.6835, "https://www.isct.ac.jp"),
    Fact("早稲田大学", "Waseda University", "早稻田大学", "", U, "JP", "Tokyo", "Tokyo", 35.7089, 139.7197, "https://www.waseda.jp"),
    Fact("国立研究開発法人理化学研究所", "RIKEN", "日本理化学研究所", "RIKEN", R, "JP", "Saitama", "Wako", 35.7812, 139.6176, "https://www.riken.jp"),
    Fact("独立行政法人日本学術振興会", "Japan Society for the Promotion of Science", "日本学术振兴会", "JSPS", G, "JP", "Tokyo", "Tokyo", 35.6855, 139.7383, "https://www.jsps.go.jp"),
    Fact("独立行政法人国際交流基金", "The Japan Foundation", "日本国际交流基金会", "JF", F, "JP", "Tokyo", "Tokyo", 35.6895, 139.7210, "https://www.jpf.go.jp"),
    Fact("国際連合大学", "United Nations University", "联合国大学", "UNU", I, "JP", "Tokyo", "Tokyo", 35.6625, 139.7080, "https://unu.edu"),
    Fact("トヨタ自動車株式会社", "Toyota Motor Corporation", "丰田汽车公司", "", E, "JP", "Aichi", "Toyota", 35.0544, 137.1567, "https://global.toyota"),
    # India
    Fact("Indian Institute of Technology Bombay", "Indian Institute of Technology Bombay", "印度理工学院孟买分校", "IITB", U, "IN", "Maharashtra", "Mumbai", 19.1334, 72.9133, "https://www.iitb.ac.in"),
    Fact("Indian Institute of Technology Delhi", "Indian Institute of Technology Delhi", "印度理工学院德里分校", "IITD", U, "IN", "Delhi", "New Delhi", 28.5450, 77.1926, "https://home.iitd.ac.in"),
    Fact("Indian Institute of Technology Madras", "Indian Institute of Technology Madras", "印度理工学院马德拉斯分校", "IITM", U, "IN", "Tamil Nadu", "Chennai", 12.9916, 80.2336, "https://www.iitm.ac.in"),
    Fact("Indian Institute of Science", "Indian Institute of Science", "印度科学理工学院", "IISc", U, "IN", "Karnataka", "Bengaluru", 13.0219, 77.5671, "https://iisc.ac.in"),
    Fact("University of Delhi", "University of Delhi", "德里大学", "DU", U, "IN", "Delhi", "New Delhi", 28.6877, 77.2095, "https://www.du.ac.in"),
    Fact("All India Institute of Medical Sciences, New Delhi", "All India Institute of Medical Sciences, New Delhi", "全印度医学科学研究所", "AIIMS", H, "IN", "Delhi", "New Delhi", 28.5672, 77.2100, "https://www.aiims.edu"),
    Fact("Tata Consultancy Services Limited", "Tata Consultancy Services", "塔塔咨询服务公司", "TCS", E, "IN", "Maharashtra", "Mumbai", 18.9320, 72.8340, "https://www.tcs.com"),
    # Thailand
    Fact("จุฬาลงกรณ์มหาวิทยาลัย", "Chulalongkorn University", "朱拉隆功大学", "CU", U, "TH", "Bangkok", "Bangkok", 13.7384, 100.5321, "https://www.chula.ac.th"),
    Fact("มหาวิทยาลัยมหิดล", "Mahidol University", "玛希隆大学", "MU", U, "TH", "Nakhon Pathom", "Salaya", 13.7941, 100.3222, "https://mahidol.ac.th"),
    Fact("มหาวิทยาลัยเชียงใหม่", "Chiang Mai University", "清迈大学", "CMU", U, "TH", "Chiang Mai", "Chiang Mai", 18.8025, 98.9528, "https://www.cmu.ac.th"),
    Fact("มหาวิทยาลัยเกษตรศาสตร์", "Kasetsart University", "泰国农业大学", "KU", U, "TH", "Bangkok", "Bangkok", 13.8476, 100.5696, "https://www.ku.ac.th"),
    Fact("มหาวิทยาลัยธรรมศาสตร์", "Thammasat University", "泰国国立法政大学", "TU", U, "TH", "Bangkok", "Bangkok", 13.7573, 100.4906, "https://tu.ac.th"),
    Fact("Asian Institute of Technology", "Asian Institute of Technology", "亚洲理工学院", "AIT", U, "TH", "Pathum Thani", "Khlong Luang", 14.0790, 100.6130, "https://www.ait.ac.th"),
    Fact("โรงพยาบาลศิริราช", "Siriraj Hospital", "诗里拉吉医院", "", H, "TH", "Bangkok", "Bangkok", 13.7590, 100.4851, "https://www.si.mahidol.ac.th"),
    Fact("กระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม", "Ministry of Higher Education, Science, Research and Innovation", "泰国高等教育、科学、研究与创新部", "MHESI", G, "TH", "Bangkok", "Bangkok", 13.7650, 100.5280, "https://www.mhesi.go.th"),
    Fact("บริษัท ปูนซิเมนต์ไทย จำกัด (มหาชน)", "SCG (The Siam Cement Public Company Limited)", "暹罗水泥集团", "SCG", E, "TH", "Bangkok", "Bangkok", 13.8060, 100.5380, "https://www.scg.com"),
    # Italy
    Fact("Politecnico di Milano", "Polytechnic University of Milan", "米兰理工大学", "POLIMI", U, "IT", "Lombardy", "Milan", 45.4781, 9.2272, "https://www.polimi.it"),
    Fact("Alma Mater Studiorum – Università di Bologna", "University of Bologna", "博洛尼亚大学", "UNIBO", U, "IT", "Emilia-Romagna", "Bologna", 44.4966, 11.3528, "https://www.unibo.it"),
    Fact("Sapienza Università di Roma", "Sapienza University of Rome", "罗马大学", "", U, "IT", "Lazio", "Rome", 41.9029, 12.5145, "https://www.uniroma1.it"),
    # Spain
    Fact("Universitat de Barcelona", "University of Barcelona", "巴塞罗那大学", "UB", U, "ES", "Catalonia", "Barcelona", 41.3865, 2.1640, "https://www.ub.edu"),
    Fact("Universidad Complutense de Madrid", "Complutense University of Madrid", "马德里康普顿斯大学", "UCM", U, "ES", "Community of Madrid", "Madrid", 40.4485, -3.7281, "https://www.ucm.es"),
    # Netherlands
    Fact("Technische Universiteit Delft", "Delft University of Technology", "代尔夫特理工大学", "TU Delft", U, "NL", "South Holland", "Delft", 52.0022, 4.3736, "https://www.tudelft.nl"),
    Fact("Universiteit van Amsterdam", "University of Amsterdam", "阿姆斯特丹大学", "UvA", U, "NL", "North Holland", "Amsterdam", 52.3680, 4.8896, "https://www.uva.nl"),
    Fact("Wageningen University & Research", "Wageningen University & Research", "瓦赫宁根大学", "WUR", U, "NL", "Gelderland", "Wageningen", 51.9851, 5.6656, "https://www.wur.nl"),
    # Switzerland
    Fact("Eidgenössische Technische Hochschule Zürich", "ETH Zurich", "苏黎世联邦理工学院", "ETH", U, "CH", "Zurich", "Zurich", 47.3763, 8.5476, "https://ethz.ch"),
    Fact("École polytechnique fédérale de Lausanne", "EPFL", "洛桑联邦理工学院", "EPFL", U, "CH", "Vaud", "Lausanne", 46.5191, 6.5668, "https://www.epfl.ch"),
    Fact("Université de Genève", "University of Geneva", "日内瓦大学", "UNIGE", U, "CH", "Geneva", "Geneva", 46.1991, 6.1451, "https://www.unige.ch"),
    Fact("Organisation européenne pour la recherche nucléaire", "CERN", "欧洲核子研究组织", "CERN", I, "CH", "Geneva", "Meyrin", 46.2330, 6.0557, "https://home.cern"),
    Fact("World Health Organization", "World Health Organization", "世界卫生组织", "WHO", I, "CH", "Geneva", "Geneva", 46.2327, 6.1345, "https://www.who.int"),
    Fact("ABB Ltd", "ABB", "ABB集团", "ABB", E, "CH", "Zurich", "Zurich", 47.4131, 8.5475, "https://global.abb"),
    Fact("Nestlé S.A.", "Nestlé", "雀巢公司", "", E, "CH", "Vaud", "Vevey", 46.4622, 6.8478, "https://www.nestle.com"),
    # Nordic countries
    Fact("Kungliga Tekniska högskolan", "KTH Royal Institute of Technology", "瑞典皇家理工学院", "KTH", U, "SE", "Stockholm", "Stockholm", 59.3498, 18.0707, "https://www.kth.se"),
    Fact("Karolinska Institutet", "Karolinska Institutet", "卡罗林斯卡学院", "KI", U, "SE", "Stockholm", "Solna", 59.3489, 18.0236, "https://ki.se"),
    Fact("Lunds universitet", "Lund University", "隆德大学", "", U, "SE", "Skåne", "Lund", 55.7116, 13.2034, "https://www.lu.se"),
    Fact("Karolinska Universitetssjukhuset", "Karolinska University Hospital", "卡罗林斯卡大学医院", "", H, "SE", "Stockholm", "Solna", 59.3503, 18.0321, "https://www.karolinska.se"),
    Fact("Helsingin yliopisto", "University of Helsinki", "赫尔辛基大学", "", U, "FI", "Uusimaa", "Helsinki", 60.1699, 24.9490, "https://www.helsinki.fi"),
    Fact("Aalto-yliopisto", "Aalto University", "阿尔托大学", "", U, "FI", "Uusimaa", "Espoo", 60.1867, 24.8277, "https://www.aalto.fi"),
    Fact("Nokia Oyj", "Nokia", "诺基亚公司", "", E, "FI", "Uusimaa", "Espoo", 60.2218, 24.7573, "https://www.nokia.com"),
    Fact("Københavns Universitet", "University of Copenhagen", "哥本哈根大学", "UCPH", U, "DK", "Capital Region", "Copenhagen", 55.6801, 12.5723, "https://www.ku.dk"),
    Fact("Danmarks Tekniske Universitet", "Technical University of Denmark", "丹麦技术大学", "DTU", U, "DK", "Capital Region", "Kongens Lyngby", 55.7858, 12.5233, "https://www.dtu.dk"),
    Fact("Universitetet i Oslo", "University of Oslo", "奥斯陆大学", "UiO", U, "NO", "Oslo", "Oslo", 59.9400, 10.7217, "https://www.uio.no"),
    Fact("Norges teknisk-naturvitenskapelige universitet", "Norwegian University of Science and Technology", "挪威科技大学", "NTNU", U, "NO", "Trøndelag", "Trondheim", 63.4195, 10.4022, "https://www.ntnu.no"),
    # Rest of Europe
    Fact("Katholieke Universiteit Leuven", "KU Leuven", "鲁汶大学", "KU Leuven", U, "BE", "Flemish Brabant", "Leuven", 50.8779, 4.7003, "https://www.kuleuven.be"),
    Fact("Universität Wien", "University of Vienna", "维也纳大学", "", U, "AT", "Vienna", "Vienna", 48.2132, 16.3601, "https://www.univie.ac.at"),
    Fact("International Atomic Energy Agency", "International Atomic Energy Agency", "国际原子能机构", "IAEA", I, "AT", "Vienna", "Vienna", 48.2349, 16.4163, "https://www.iaea.org"),
    Fact("Trinity College Dublin", "Trinity College Dublin", "都柏林圣三一大学", "TCD", U, "IE", "Leinster", "Dublin", 53.3438, -6.2546, "https://www.tcd.ie"),
    Fact("Universidade de Lisboa", "University of Lisbon", "里斯本大学", "ULisboa", U, "PT", "Lisbon", "Lisbon", 38.7526, -9.1585, "https://www.ulisboa.pt"),
    Fact("Uniwersytet Warszawski", "University of Warsaw", "华沙大学", "UW", U, "PL", "Masovian", "Warsaw", 52.2403, 21.0186, "https://www.uw.edu.pl"),
    Fact("Univerzita Karlova", "Charles University", "布拉格查理大学", "CUNI", U, "CZ", "Prague", "Prague", 50.0864, 14.4239, "https://cuni.cz"),
    # Asia and the Pacific
    Fact("National University of Singapore", "National University of Singapore", "新加坡国立大学", "NUS", U, "SG", "", "Singapore", 1.2966, 103.7764, "https://www.nus.edu.sg"),
    Fact("Nanyang Technological University", "Nanyang Technological University", "南洋理工大学", "NTU", U, "SG", "", "Singapore", 1.3483, 103.6831, "https://www.ntu.edu.sg"),
    Fact("Singapore General Hospital", "Singapore General Hospital", "新加坡中央医院", "SGH", H, "SG", "", "Singapore", 1.2797, 103.8350, "https://www.sgh.com.sg"),
    Fact("Universiti Malaya", "University of Malaya", "马来亚大学", "UM", U, "MY", "Kuala Lumpur", "Kuala Lumpur", 3.1209, 101.6538, "https://www.um.edu.my"),
    Fact("Universitas Indonesia", "University of Indonesia", "印度尼西亚大学", "UI", U, "ID", "West Java", "Depok", -6.3628, 106.8270, "https://www.ui.ac.id"),
    Fact("Institut Teknologi Bandung", "Bandung Institute of Technology", "万隆理工学院", "ITB", U, "ID", "West Java", "Bandung", -6.8915, 107.6107, "https://www.itb.ac.id"),
    Fact("ASEAN Secretariat", "ASEAN Secretariat", "东盟秘书处", "ASEC", I, "ID", "Jakarta", "Jakarta", -6.2377, 106.7985, "https://asean.org"),
    Fact("Đại học Quốc gia Hà Nội", "Vietnam National University, Hanoi", "越南河内国家大学", "VNU", U, "VN", "Hanoi", "Hanoi", 21.0379, 105.7825, "https://vnu.edu.vn"),
    Fact("Royal University of Phnom Penh", "Royal University of Phnom Penh", "金边皇家大学", "RUPP", U, "KH", "Phnom Penh", "Phnom Penh", 11.5690, 104.8910, "https://www.rupp.edu.kh"),
    Fact("Монгол Улсын Их Сургууль", "National University of Mongolia", "蒙古国立大学", "NUM", U, "MN", "Ulaanbaatar", "Ulaanbaatar", 47.9225, 106.9195, "https://www.num.edu.mn"),
    Fact("The University of Hong Kong", "The University of Hong Kong", "香港大学", "HKU", U, "HK", "", "Hong Kong", 22.2830, 114.1371, "https://www.hku.hk"),
    Fact("Nazarbayev University", "Nazarbayev University", "纳扎尔巴耶夫大学", "NU", U, "KZ", "", "Astana", 51.0906, 71.3980, "https://nu.edu.kz"),
    Fact("Mirzo Ulug'bek nomidagi O'zbekiston Milliy universiteti", "National University of Uzbekistan", "乌兹别克斯坦国立大学", "NUUz", U, "UZ", "", "Tashkent", 41.3500, 69.2030, "https://nuu.uz"),
    # Middle East and Africa
    Fact("Orta Doğu Teknik Üniversitesi", "Middle East Technical University", "中东技术大学", "METU", U, "TR", "Ankara", "Ankara", 39.8914, 32.7838, "https://www.metu.edu.tr"),
    Fact("Technion – Israel Institute of Technology", "Technion – Israel Institute of Technology", "以色列理工学院", "", U, "IL", "Haifa", "Haifa", 32.7767, 35.0231, "https://www.technion.ac.il"),
    Fact("Weizmann Institute of Science", "Weizmann Institute of Science", "魏茨曼科学研究所", "", R, "IL", "Central", "Rehovot", 31.9070, 34.8100, "https://www.weizmann.ac.il"),
    Fact("Khalifa University of Science and Technology", "Khalifa University", "哈利法大学", "KU", U, "AE", "Abu Dhabi", "Abu Dhabi", 24.4470, 54.3950, "https://www.ku.ac.ae"),
    Fact("King Abdullah University of Science and Technology", "King Abdullah University of Science and Technology", "阿卜杜拉国王科技大学", "KAUST", U, "SA", "Makkah", "Thuwal", 22.3095, 39.1047, "https://www.kaust.edu.sa"),
    Fact("Cairo University", "Cairo University", "开罗大学", "CU", U, "EG", "Giza", "Giza", 30.0266, 31.2086, "https://cu.edu.eg"),
    Fact("University of Nairobi", "University of Nairobi", "内罗毕大学", "UoN", U, "KE", "Nairobi", "Nairobi", -1.2798, 36.8163, "https://www.uonbi.ac.ke"),
    Fact("University of Ibadan", "University of Ibadan", "伊巴丹大学", "UI", U, "NG", "Oyo", "Ibadan", 7.4443, 3.8995, "https://www.ui.edu.ng"),
    Fact("University of Cape Town", "University of Cape Town", "开普敦大学", "UCT", U, "ZA", "Western Cape", "Cape Town", -33.9577, 18.4612, "https://www.uct.ac.za"),
    Fact("University of the Witwatersrand, Johannesburg", "University of the Witwatersrand", "金山大学", "Wits", U, "ZA", "Gauteng", "Johannesburg", -26.1929, 28.0305, "https://www.wits.ac.za"),
    # Latin America
    Fact("Universidade de São Paulo", "University of São Paulo", "圣保罗大学", "USP", U, "BR", "São Paulo", "São Paulo", -23.5614, -46.7307, "https://www.usp.br"),
    Fact("Universidade Estadual de Campinas", "State University of Campinas", "坎皮纳斯州立大学", "Unicamp", U, "BR", "São Paulo", "Campinas", -22.8184, -47.0647, "https://www.unicamp.br"),
    Fact("Universidad Nacional Autónoma de México", "National Autonomous University of Mexico", "墨西哥国立自治大学", "UNAM", U, "MX", "Mexico City", "Mexico City", 19.3320, -99.1870, "https://www.unam.mx"),
    Fact("Instituto Tecnológico y de Estudios Superiores de Monterrey", "Monterrey Institute of Technology", "蒙特雷科技大学", "Tec de Monterrey", U, "MX", "Nuevo León", "Monterrey", 25.6515, -100.2895, "https://tec.mx"),
    Fact("Universidad de Buenos Aires", "University of Buenos Aires", "布宜诺斯艾利斯大学", "UBA", U, "AR", "Buenos Aires", "Buenos Aires", -34.5997, -58.3731, "https://www.uba.ar"),
    Fact("Pontificia Universidad Católica de Chile", "Pontifical Catholic University of Chile", "智利天主教大学", "UC", U, "CL", "Santiago Metropolitan", "Santiago", -33.4411, -70.6404, "https://www.uc.cl"),
]
# fmt: on
